namespace K8sReplication.Sidecar.Serve;

/// <summary>
/// How far peers have confirmed holding this member's own changes. A feed request for <c>after=S</c> (unfiltered, or
/// filtered to this member's site) confirms that the peer has applied every one of them up to seq S: it stores its
/// cursor in the transaction that applies a page, and asks from that cursor. Draining on shutdown waits until this
/// covers every local change.
/// </summary>
internal sealed class DeliveryTracker
{
    private long delivered;

    /// <summary>The highest seq up to which some peer has confirmed holding every local change.</summary>
    public long DeliveredSeq => Interlocked.Read(ref delivered);

    /// <summary>Records a peer's feed request from <paramref name="after"/>.</summary>
    public void Confirmed(long after)
    {
        var seen = Interlocked.Read(ref delivered);
        while (after > seen)
        {
            var previous = Interlocked.CompareExchange(ref delivered, after, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }
}
