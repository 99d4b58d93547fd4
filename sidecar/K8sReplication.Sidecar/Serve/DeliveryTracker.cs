using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Sidecar.Serve;

/// <summary>
/// How far peers have confirmed holding this member's own changes. A feed request for <c>after=S</c> (unfiltered, or
/// filtered to this member's site) confirms that the peer has applied every one of them up to seq S: it stores its
/// cursor in the transaction that applies a page, and asks from that cursor. Draining on shutdown waits until this
/// covers every local change.
/// </summary>
/// <remarks>
/// Readers that say who they are (<c>reader=SITE&amp;applied=N</c>) are also tracked one by one: how far each has applied
/// this member's own changes, from which tombstone collection computes this member's horizon. <c>applied</c> is what
/// the reader has applied (its <c>after</c> can run ahead while it applies the previous page), so it is what counts
/// there; a drain counts what a peer has fetched.
/// </remarks>
internal sealed class DeliveryTracker
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<SiteId, long> appliedByReader = new();
    private long delivered;

    /// <summary>The highest seq up to which some peer has confirmed holding every local change.</summary>
    public long DeliveredSeq => Interlocked.Read(ref delivered);

    /// <summary>How far <paramref name="reader"/> has said it applied this member's own changes; null when it never said.</summary>
    public long? AppliedBy(SiteId reader) => appliedByReader.TryGetValue(reader, out var seq) ? seq : null;

    /// <summary>Records a reader's report (the latest wins: a reader whose volume was replaced starts again from 0).</summary>
    public void Applied(SiteId reader, long applied) => appliedByReader[reader] = applied;

    /// <summary>Records a peer's feed request from <paramref name="after"/>.</summary>
    public void Confirmed(long after) => AtomicMax.Raise(ref delivered, after);
}
