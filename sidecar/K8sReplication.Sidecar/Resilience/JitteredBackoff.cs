namespace K8sReplication.Sidecar.Resilience;

/// <summary>
/// Exponential backoff with full jitter: the n-th consecutive failure waits a uniform random time in
/// [cap/2, cap] where cap = min(max, initial·2ⁿ). Jitter keeps a mesh of peers from retrying in lock-step;
/// the lower half-bound keeps the delay growing. <see cref="Reset"/> after a success.
/// </summary>
internal sealed class JitteredBackoff(TimeSpan initial, TimeSpan max, Random? random = null)
{
    private readonly Random _random = random ?? Random.Shared;
    private int _attempt;

    public int Attempt => _attempt;

    public TimeSpan Next()
    {
        var exponent = Math.Min(_attempt, 30);
        _attempt++;
        var cap = Math.Min(max.TotalMilliseconds, initial.TotalMilliseconds * Math.Pow(2, exponent));
        return TimeSpan.FromMilliseconds(cap / 2 + (_random.NextDouble() * cap / 2));
    }

    public void Reset() => _attempt = 0;
}
