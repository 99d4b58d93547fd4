using System.Collections.Concurrent;

namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// Collection horizons: for each member, the HLC at or below which every write it made has been applied by all its
/// peers. This member computes its own (from its readers' reports) and publishes it in its feed answers; it learns
/// its peers' from theirs. A tombstone at or below every member's horizon is held by every member (no member can
/// still hold an older version of its row or send one), so it can be collected. 0 means unknown.
/// </summary>
internal sealed class MeshHorizons
{
    private readonly ConcurrentDictionary<SiteId, long> peers = new();
    private long own;

    /// <summary>This member's own horizon, as last computed (published in its feed answers).</summary>
    public long Own
    {
        get => Interlocked.Read(ref own);
        set => Interlocked.Exchange(ref own, value);
    }

    /// <summary>Records the horizon a peer published (the latest answer's; 0 from members that publish none).</summary>
    public void Observe(SiteId site, long horizon) => peers[site] = horizon;

    private long rounds;
    private long collected;
    private string? heldBackBy;

    /// <summary>Collection rounds run.</summary>
    public long Rounds => Interlocked.Read(ref rounds);

    /// <summary>Tombstones collected.</summary>
    public long Collected => Interlocked.Read(ref collected);

    /// <summary>Why the last round could not compute a mesh horizon; null when it could.</summary>
    public string? HeldBackBy => Volatile.Read(ref heldBackBy);

    /// <summary>Records a round: what it collected and what held it back.</summary>
    public void RoundDone(int collectedNow, string? heldBack)
    {
        Interlocked.Increment(ref rounds);
        Interlocked.Add(ref collected, collectedNow);
        Volatile.Write(ref heldBackBy, heldBack);
    }

    /// <summary>The horizon <paramref name="site"/> published last, 0 when it never did.</summary>
    public long Of(SiteId site) => peers.TryGetValue(site, out var h) ? h : 0;
}
