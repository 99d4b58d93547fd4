using System.Globalization;
using K8sReplication.Contracts.Health;
using K8sReplication.Sidecar.ColdPath;
using K8sReplication.Sidecar.Engine;
using K8sReplication.Sidecar.Peers;
using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Sidecar.AntiEntropy;

/// <summary>
/// One pull-only anti-entropy round against one peer: equal roots cost one request; otherwise descend only into
/// differing children and pull the rows that differ, applying them through the same applier as the hot path, so
/// traffic is proportional to the difference. The compact protocol (binary, salted short digests, one request per
/// level) is tried first; a peer that answers its first request with 404 predates it, and the round goes on with the
/// JSON endpoints (one request per node, full version lists of differing leaves).
/// </summary>
internal sealed partial class AntiEntropyRound(ReplicationEngine engine, PeerClient client, SiteBindings bindings, TimeProvider time)
{
    public const string ProgressPrefix = "antientropy:";
    private const int RowsPerRequest = 1000;

    private long _bytes;
    private long _repaired;

    public async Task<AntiEntropyResult> RunAsync(int budget, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var store = engine.Store ?? throw new InvalidOperationException("store not open");
        var tree = store.Merkle;
        var (root, depth, rootBytes) = await client.GetMerkleRootAsync(cancellationToken);
        _bytes += rootBytes;
        client.Peer.RecordReachable();
        if (root.AsSpan().SequenceEqual(tree.Root))
        {
            return Result("equal", started);
        }

        if (depth != tree.Depth)
        {
            throw new PeerAnswerRejectedException(RejectReason.Invalid, $"Merkle shape differs: peer depth {depth}, local {tree.Depth}");
        }

        var (site, tables, schemaBytes) = await client.GetSchemaAsync(cancellationToken);
        _bytes += schemaBytes;
        var schema = (Site: site, Tables: tables);
        bindings.Check(client.Peer.Settings, schema.Site, engine.Config.Current.Peers);
        if (await RunCompactAsync(tree, schema, budget, cancellationToken) is { } complete)
        {
            return Result(complete ? "repaired" : "partial", started);
        }

        var leaves = await DifferingLeavesAsync(tree, cancellationToken);
        var partial = false;
        foreach (var leaf in leaves)
        {
            if (_repaired >= budget)
            {
                partial = true;
                break;
            }

            var (remote, leafBytes) = await client.GetMerkleLeafAsync(leaf, cancellationToken);
            _bytes += leafBytes;
            var winners = MerkleDiff.RemoteWinners(tree.Leaf(leaf), remote);
            foreach (var table in winners.GroupBy(w => w.Table, StringComparer.Ordinal))
            {
                foreach (var chunk in table.Chunk(RowsPerRequest))
                {
                    await PullAsync(table.Key, chunk, schema, cancellationToken);
                }
            }
        }

        return Result(partial ? "partial" : "repaired", started);
    }

    public long BytesSoFar => _bytes;

    public long RepairedSoFar => _repaired;

    private async Task<List<int>> DifferingLeavesAsync(MerkleTree tree, CancellationToken cancellationToken)
    {
        var leaves = new List<int>();
        var frontier = new List<string> { "" };
        while (frontier.Count > 0)
        {
            var next = new List<string>();
            foreach (var path in frontier)
            {
                var (nodes, bytes) = await client.GetMerkleNodesAsync(path, cancellationToken);
                _bytes += bytes;
                foreach (var index in MerkleDiff.DifferingChildren(tree.Children(path), nodes))
                {
                    var child = MerkleDiff.ChildPath(path, index);
                    if (child.Length == tree.Depth)
                    {
                        leaves.Add(MerkleDiff.LeafIndex(child));
                    }
                    else
                    {
                        next.Add(child);
                    }
                }
            }

            frontier = next;
        }

        return leaves;
    }

    private async Task PullAsync(string table, LeafEntry[] entries, (SiteId Site, IReadOnlyDictionary<string, string> Tables) schema, CancellationToken cancellationToken)
    {
        List<Change> rows;
        try
        {
            (rows, var bytes) = await client.PostRowsAsync(table, [.. entries.Select(e => e.Key)], cancellationToken);
            _bytes += bytes;
        }
        catch (PeerAnswerRejectedException e) when (e.Reason == RejectReason.TooLarge && entries.Length > 1)
        {
            // Large rows: ask for half as many at a time (the row limit still bounds a single row).
            var half = entries.Length / 2;
            await PullAsync(table, entries[..half], schema, cancellationToken);
            await PullAsync(table, entries[half..], schema, cancellationToken);
            return;
        }

        ApplyPulled(rows, schema);
    }

    private void ApplyPulled(List<Change> rows, (SiteId Site, IReadOnlyDictionary<string, string> Tables) schema)
    {
        if (rows.Count == 0)
        {
            return;
        }

        var result = engine.Applier!.Apply(
            rows,
            ProgressPrefix + schema.Site,
            time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            schema.Tables,
            client.Peer.Name);
        _repaired += result.Applied;
    }

    private AntiEntropyResult Result(string result, long started) => new()
    {
        Result = result,
        At = time.GetUtcNow(),
        RowsRepaired = _repaired,
        Bytes = _bytes,
        DurationSeconds = time.GetElapsedTime(started).TotalSeconds,
    };
}
