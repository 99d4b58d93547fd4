namespace K8sReplication.Kube.Events;

/// <summary>Burst-then-steady rate limit on a monotonic clock. Not thread-safe; the owner locks.</summary>
internal sealed class TokenBucket
{
    private readonly int _burst;
    private readonly TimeSpan _refill;
    private readonly TimeProvider _time;
    private double _tokens;
    private long _updated;

    public TokenBucket(int burst, TimeSpan refill, TimeProvider time)
    {
        _burst = burst;
        _refill = refill;
        _time = time;
        _tokens = burst;
        _updated = time.GetTimestamp();
    }

    public bool TryTake()
    {
        var now = _time.GetTimestamp();
        _tokens = Math.Min(_burst, _tokens + (_time.GetElapsedTime(_updated, now) / _refill));
        _updated = now;
        if (_tokens < 1)
        {
            return false;
        }

        _tokens -= 1;
        return true;
    }
}
