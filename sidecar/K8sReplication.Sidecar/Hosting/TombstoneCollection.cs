using K8sReplication.Contracts.Config;
using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Engine;
using K8sReplication.Sidecar.Metrics;
using K8sReplication.Sidecar.Serve;
using K8sReplication.Sidecar.Storage;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Hosting;

/// <summary>
/// Collects tombstones every member has applied. Every <see cref="Interval"/>: this member's own horizon — the HLC at
/// or below which all its writes are applied by every peer, from the <c>applied</c> each peer reports with its feed
/// requests — is computed and published in its feed answers; the mesh horizon is the lowest of its own and every
/// peer's published one; tombstones at or below it are deleted. Only in a full mesh, where every member tails every
/// other directly, do a member's peers make up the whole mesh; elsewhere, and while any peer's report or horizon is
/// missing (a member of an earlier version, one not reached yet, a member with no peers at all), the mesh horizon is
/// unknown. Whatever the topology, a tombstone older than <c>tombstoneTtl</c> is collected even if some member has not
/// applied it (one away that long): that member learns it is stale when it reads this member's feed again, and
/// resynchronises (see <see cref="Pull.PeerTailer"/>). The mesh horizon also certifies (see
/// <see cref="ReplicaStore.CertifiedHorizon"/>): a delete collected above it is uncertain, and a live row that old this
/// member lacks is not taken from peers until a mesh horizon passes it again. While a backup is configured, nothing this
/// member wrote is collected before it is archived (see <see cref="Backup.Archiver"/>), whatever its age.
/// </summary>
internal sealed partial class TombstoneCollection(
    StoreAccess replica,
    LiveConfig config,
    PeerSupervisor supervisor,
    DeliveryTracker delivery,
    ChangeSignal signal,
    SidecarMetrics metrics,
    TimeProvider time,
    ILogger<TombstoneCollection> logger) : BackgroundService
{
    /// <summary>Time between two rounds.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>The members the last mesh horizon counted (none before the first: see <see cref="ReplicaStore.MemberCounted"/>).</summary>
    private HashSet<SiteId> counted = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!replica.TryGet(out var store))
        {
            return;
        }

        try
        {
            using var timer = new PeriodicTimer(Interval, time);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Round(store);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One round: computes and publishes this member's horizon, then collects below the mesh's.</summary>
    public int Round(ReplicaStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var collected = 0;
        string? heldBack = null;
        try
        {
            var mesh = MeshHorizon(store, out heldBack);
            var byAge = HybridClock.FromMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds() - (long)config.Current.TombstoneTtl.TotalMilliseconds) | 0xFFFF;
            var horizon = Math.Max(mesh, byAge);
            if (store.Backup.HoldsBackAt is { } archived)
            {
                // Not even by age: a delete of this member's that the archive has not got yet would be missing from
                // every restore (the row would come back). While the archive is down, tombstones wait for it.
                horizon = Math.Min(horizon, store.OwnHorizon(archived));
            }

            if (horizon > store.CollectionHorizon || mesh > store.CertifiedHorizon)
            {
                collected = store.CollectTombstones(horizon, certified: mesh);
                if (collected > 0)
                {
                    metrics.TombstonesCollected.Inc(collected);
                    LogCollected(logger, collected);
                }
            }
        }
        catch (SqliteException e)
        {
            // The next round tries again; a tombstone kept a few seconds longer harms nothing.
            heldBack = "the last round failed: " + e.Message;
            LogFailed(logger, e.SqliteErrorCode, e.Message);
        }

        store.Horizons.RoundDone(collected, heldBack);
        return collected;
    }

    /// <summary>The mesh horizon (0 when unknown, with the reason in <paramref name="heldBack"/>); publishes this member's own.</summary>
    private long MeshHorizon(ReplicaStore store, out string? heldBack)
    {
        var settings = config.Current;
        var peers = supervisor.Peers;
        heldBack = settings.Topology != Topology.FullMesh ? $"topology {settings.Topology}: only a full mesh collects (every member tails every other)"
            : settings.Peers.Count == 0 ? "no peers configured: this member cannot tell what the others hold"
            : !peers.Select(p => p.Name).Order(StringComparer.Ordinal).SequenceEqual(settings.Peers.Select(p => p.Name).Order(StringComparer.Ordinal), StringComparer.Ordinal)
                ? "the peers are being reconfigured"
            : null;
        var sites = new List<SiteId>(peers.Count);
        long applied = long.MaxValue;
        foreach (var peer in heldBack is null ? peers : [])
        {
            if (peer.Site is null || !SiteId.TryParse(peer.Site, out var site))
            {
                heldBack = $"peer {peer.Name} not reached yet";
                break;
            }

            if (delivery.AppliedBy(site) is not { } seq)
            {
                heldBack = $"peer {peer.Name} has not reported what it applied (not reading this member, or of an earlier version)";
                break;
            }

            sites.Add(site);
            applied = Math.Min(applied, seq);
        }

        if (heldBack is not null)
        {
            store.Horizons.Own = 0;
            return 0;
        }

        if (store.Backup.HoldsBackAt is { } archived)
        {
            applied = Math.Min(applied, archived); // a delete not archived yet must reach the backup first
        }

        if (!sites.All(counted.Contains))
        {
            // A member counted now that earlier mesh horizons did not count may hold rows whose deletes were collected
            // without it: what was certified so far is uncertain again until a horizon counting it passes it.
            store.MemberCounted();
            counted = [.. sites];
        }

        var own = store.OwnHorizon(applied);
        var published = store.Horizons.Own;
        store.Horizons.Own = own;
        if (own > published)
        {
            // Waiting readers answer now with the new horizon: an idle member would otherwise publish it only when a
            // long-poll times out, and every member's collection waits for the lowest.
            signal.Notify();
        }
        var mesh = own;
        foreach (var (site, peer) in sites.Zip(peers))
        {
            var theirs = store.Horizons.Of(site);
            if (theirs == 0)
            {
                heldBack = $"peer {peer.Name} has published no horizon yet";
                return 0;
            }

            mesh = Math.Min(mesh, theirs);
        }

        return mesh;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Tombstone collection: {Collected} tombstones every member had applied were collected")]
    private static partial void LogCollected(ILogger logger, int collected);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tombstone collection failed (SQLite error {Code}): {Error}")]
    private static partial void LogFailed(ILogger logger, int code, string error);
}
