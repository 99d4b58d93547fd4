namespace K8sReplication.Sidecar.Pull;

/// <summary>
/// When this member last applied changes from any peer's feed. While changes flow in, this member's Merkle tree moves
/// with them: an anti-entropy round against any peer then compares trees that differ by what is in flight. Against
/// the writer that is the writer's own changes; against another member receiving the same writer's changes it is
/// whatever each of the two has applied so far, and the round would pull, on both sides, rows the feeds are
/// delivering anyway, with the CPU the apply needs.
/// </summary>
internal sealed class FeedInflow(TimeProvider time)
{
    private long _last;

    /// <summary>A non-empty batch of some peer's changes was applied.</summary>
    public void Record() => Interlocked.Exchange(ref _last, time.GetTimestamp());

    /// <summary>Whether any peer's changes were applied within <paramref name="window"/>.</summary>
    public bool Within(TimeSpan window)
    {
        var last = Interlocked.Read(ref _last);
        return last != 0 && time.GetElapsedTime(last) < window;
    }
}
