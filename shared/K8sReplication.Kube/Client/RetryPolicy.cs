namespace K8sReplication.Kube.Client;

/// <summary>
/// Jittered exponential backoff: attempt n waits a random time in [d/2, d] with d = min(Max, Initial * 2^n).
/// The jitter keeps many clients that failed together from retrying in lockstep.
/// </summary>
public sealed record RetryPolicy
{
    /// <summary>Total attempts including the first; 1 disables retries.</summary>
    public int MaxAttempts { get; init; } = 4;

    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The delay before retry number <paramref name="attempt"/> (0-based).</summary>
    public TimeSpan DelayFor(int attempt, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(attempt);
        var factor = Math.Pow(2, Math.Min(attempt, 30));
        var ceiling = Math.Min(MaxDelay.TotalMilliseconds, InitialDelay.TotalMilliseconds * factor);
        var r = (random ?? Random.Shared).NextDouble();
        return TimeSpan.FromMilliseconds((ceiling / 2) + (r * ceiling / 2));
    }
}
