using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Sidecar.Capture;

/// <summary>What the fold loop does after a check for app writes.</summary>
internal enum FoldStep
{
    /// <summary>Nothing pending, or the app is writing and the captures can wait (the feed serves them from the log).</summary>
    Wait,

    /// <summary>One slice of <see cref="ReplicaStore.FoldSliceEntries"/>: sparse writes leave the lock free most of the time.</summary>
    Slice,

    /// <summary>Everything pending, slice after slice: the app paused.</summary>
    All,

    /// <summary>Everything pending with a pause after each slice: the app keeps writing and the backlog is at its bound.</summary>
    AllYielding,
}

/// <summary>
/// When to fold. SQLite has one writer, so a fold holding the write lock makes an app that wants it sleep in its busy
/// handler (1 ms at least, then longer), and against an app writing flat out every fold costs the app about its own
/// length. The change feed serves captures from the log, so folding can wait: it runs when the app pauses
/// (<see cref="SidecarDefaults.FoldQuiet"/> without a commit); while writes are sparse, a slice at a time once the
/// oldest capture waited <see cref="SidecarDefaults.FoldSparseDelay"/> (a slice takes well under a millisecond, so
/// it rarely meets an app commit); and while the app writes heavily, only when the backlog reaches
/// <see cref="SidecarDefaults.FoldMaxBacklog"/> captures (which bounds the log). Once the app paused, the fold still
/// waits while a peer reads the log behind its head (a burst being caught up: the fold would take the CPU that catch-up
/// needs), for <see cref="SidecarDefaults.FoldReaderCatchUpMax"/> at most between two folds.
/// </summary>
internal sealed class FoldPolicy
{
    private long? pendingSince;
    private long? catchUpSince;
    private long lastWrite;
    private long windowStart;
    private long windowCaptures;
    private long previousWindowCaptures;

    /// <summary>Records a check that saw <paramref name="captured"/> new captures at <paramref name="now"/> (timestamp).</summary>
    public void Observe(long captured, long now, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        if (captured > 0)
        {
            lastWrite = now;
            pendingSince ??= now;
        }

        // The app's write rate over the current and the previous window: one check can fall between two commits of a
        // heavy writer (long transactions), so a single check's count says little.
        if (time.GetElapsedTime(windowStart, now) >= SidecarDefaults.FoldRateWindow)
        {
            previousWindowCaptures = time.GetElapsedTime(windowStart, now) < SidecarDefaults.FoldRateWindow * 2 ? windowCaptures : 0;
            windowCaptures = 0;
            windowStart = now;
        }

        windowCaptures += captured;
    }

    /// <summary>The app wrote more than <see cref="SidecarDefaults.FoldHeavyCaptures"/> captures in a recent window.</summary>
    private bool Heavy => Math.Max(windowCaptures, previousWindowCaptures) > SidecarDefaults.FoldHeavyCaptures;

    /// <summary>Records a fold that left <paramref name="pending"/> captures behind.</summary>
    public void Folded(bool pending, long now)
    {
        pendingSince = pending ? now : null;
        catchUpSince = null;
    }

    /// <summary>A fold found the app holding the write lock: it is writing, whatever the last commit's age says.</summary>
    public void LockTaken(long now) => lastWrite = now;

    /// <summary>Whether the app committed within the last <see cref="SidecarDefaults.FoldQuiet"/>.</summary>
    public bool AppWriting(long now, TimeProvider time) => time.GetElapsedTime(lastWrite, now) < SidecarDefaults.FoldQuiet;

    /// <summary>Nothing is pending (the loop may check less often).</summary>
    public bool Idle => pendingSince is null;

    /// <summary>Marks captures pending that were there before the loop started.</summary>
    public void Pending(long now) => pendingSince ??= now;

    /// <summary>
    /// The next step with <paramref name="backlog"/> captures pending at <paramref name="now"/>;
    /// <paramref name="readerCatchingUp"/> when a peer recently read the capture log and did not reach its head.
    /// </summary>
    public FoldStep Next(long backlog, long now, TimeProvider time, bool readerCatchingUp = false)
    {
        ArgumentNullException.ThrowIfNull(time);
        if (pendingSince is not { } since)
        {
            return FoldStep.Wait;
        }

        if (!AppWriting(now, time))
        {
            // A reader catching up goes first, for FoldReaderCatchUpMax at most from the first step that let it, however
            // the app's writes come and go meanwhile (an app writing every so often pauses between its writes too).
            var catchUp = readerCatchingUp && backlog < SidecarDefaults.FoldMaxBacklog
                && time.GetElapsedTime(catchUpSince ??= now, now) < SidecarDefaults.FoldReaderCatchUpMax;
            return catchUp ? FoldStep.Wait : FoldStep.All;
        }

        if (backlog >= SidecarDefaults.FoldMaxBacklog)
        {
            return FoldStep.AllYielding;
        }

        return !Heavy && time.GetElapsedTime(since, now) >= SidecarDefaults.FoldSparseDelay ? FoldStep.Slice : FoldStep.Wait;
    }
}
