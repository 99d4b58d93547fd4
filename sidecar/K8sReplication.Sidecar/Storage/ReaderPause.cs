namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// Lets the WAL start over during a long burst of writes. SQLite restarts the WAL only when a writer begins while
/// every frame has been copied into the database and no reader is reading an older snapshot; with this member's
/// feed reads following each other without a gap (a peer catching up), some reader always is, and the WAL grows for
/// the whole burst (gigabytes for a million rows). Pausing this member's own readers for a moment lets the next
/// checkpoint copy everything and the app's next transaction start the WAL over. Readers call
/// <see cref="Enter"/>/<see cref="Exit"/> around a read transaction; the checkpointer calls <see cref="Pause"/>,
/// waits for <see cref="Active"/> to reach 0, and <see cref="Resume"/>s (a pause also ends by itself at its deadline).
/// </summary>
/// <remarks>Wall-clock time on purpose (not the store's time provider): a pause must end even under a test's frozen clock.</remarks>
internal sealed class ReaderPause
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(1);
    private long pausedUntil;
    private int active;

    /// <summary>Read transactions in flight.</summary>
    public int Active => Volatile.Read(ref active);

    /// <summary>True while readers are held back.</summary>
    public bool Paused => System.Diagnostics.Stopwatch.GetTimestamp() < Interlocked.Read(ref pausedUntil);

    /// <summary>Holds new readers back for at most <paramref name="max"/>.</summary>
    public void Pause(TimeSpan max) =>
        Interlocked.Exchange(ref pausedUntil, System.Diagnostics.Stopwatch.GetTimestamp() + (long)(max.TotalSeconds * System.Diagnostics.Stopwatch.Frequency));

    public void Resume() => Interlocked.Exchange(ref pausedUntil, 0);

    /// <summary>Waits while paused (never past the pause's deadline), then counts the caller as a reader.</summary>
    public void Enter()
    {
        while (Paused)
        {
            Thread.Sleep(Step);
        }

        Interlocked.Increment(ref active);
    }

    public void Exit() => Interlocked.Decrement(ref active);
}
