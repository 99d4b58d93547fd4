using K8sReplication.Sidecar.Configuration;

namespace K8sReplication.Sidecar.Capture;

/// <summary>
/// Decides how long the commit watcher sleeps before it next checks for app commits (and wakes the change feed). It polls fast
/// while writes are sparse (each reaches peers within milliseconds), less often while the app writes heavily (each
/// check found more than <see cref="SidecarDefaults.FoldBusyEntries"/> captures per millisecond since the last one:
/// fewer, larger feed pages, and lag of up to <see cref="SidecarDefaults.FoldBusyInterval"/> while it lasts; a rate, not a count, so a longer interval
/// does not by itself keep the pacer slow), and backs off when the database is quiet (an idle sidecar costs next to no
/// CPU). When to fold is <see cref="FoldPolicy"/>'s decision.
/// </summary>
internal sealed class FoldPacer
{
    private TimeSpan delay = SidecarDefaults.FoldPollInterval;
    private long lastActivity;
    private bool seenActivity;

    /// <summary>The wait after a check that found <paramref name="folded"/> new captures at <paramref name="now"/> (timestamp).</summary>
    public TimeSpan Next(int folded, long now, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        if (folded > 0)
        {
            lastActivity = now;
            seenActivity = true;
        }

        if (folded > SidecarDefaults.FoldBusyEntries * Math.Max(1, delay / SidecarDefaults.FoldPollInterval))
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
