namespace K8sReplication.Operator.Runtime;

/// <summary>Per-key exponential backoff: base·2^failures, capped.</summary>
internal sealed class ItemBackoff(TimeSpan baseDelay, TimeSpan maxDelay)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _failures = new(StringComparer.Ordinal);

    public TimeSpan Next(string key)
    {
        int failures;
        lock (_gate)
        {
            _failures.TryGetValue(key, out failures);
            _failures[key] = failures + 1;
        }

        var ms = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures, 40));
        return ms >= maxDelay.TotalMilliseconds ? maxDelay : TimeSpan.FromMilliseconds(ms);
    }

    public void Reset(string key)
    {
        lock (_gate)
        {
            _failures.Remove(key);
        }
    }

    public int Failures(string key)
    {
        lock (_gate)
        {
            return _failures.GetValueOrDefault(key);
        }
    }
}
