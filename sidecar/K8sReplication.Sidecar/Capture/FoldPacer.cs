using K8sReplication.Sidecar.Configuration;

namespace K8sReplication.Sidecar.Capture;

/// <summary>
/// Decides how long the fold loop waits before it next checks for app writes. SQLite has one writer: whenever a fold
/// holds the write lock while the app wants it, the app's busy handler sleeps at least a millisecond, so against an
/// app writing flat out every fold costs the app about that much. The pacer therefore polls fast while writes are
/// sparse (low replication lag), folds less often but in bigger batches while the app writes heavily (each fold
/// found more than <see cref="SidecarDefaults.FoldBusyEntries"/> entries: the app keeps its throughput and the lag
/// stays a few tens of milliseconds), and backs off when the database is quiet (an idle sidecar costs next to no CPU).
/// </summary>
internal sealed class FoldPacer
{
    private TimeSpan delay = SidecarDefaults.FoldPollInterval;
    private long lastActivity;
    private bool seenActivity;

    /// <summary>The wait after a check that folded <paramref name="folded"/> entries at <paramref name="now"/> (timestamp).</summary>
    public TimeSpan Next(int folded, long now, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        if (folded > 0)
        {
            lastActivity = now;
            seenActivity = true;
        }

        if (folded > SidecarDefaults.FoldBusyEntries)
        {
            // Heavy writing: double towards the busy interval.
            delay = Clamp(delay * 2, SidecarDefaults.FoldPollInterval, SidecarDefaults.FoldBusyInterval);
        }
        else if (seenActivity && time.GetElapsedTime(lastActivity, now) < SidecarDefaults.FoldActiveWindow)
        {
            // Sparse writes: poll fast so each reaches peers within milliseconds.
            delay = SidecarDefaults.FoldPollInterval;
        }
        else
        {
            // Quiet: back off towards the idle interval.
            delay = Clamp(delay * 2, SidecarDefaults.FoldPollInterval, SidecarDefaults.FoldIdlePollInterval);
        }

        return delay;
    }

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) =>
        value < min ? min : value > max ? max : value;
}
