using System.Globalization;
using K8sReplication.Contracts.Health;
using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Pull;
using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Sidecar.Repair;

/// <summary>
/// One pull-only anti-entropy round against one peer: equal roots cost one request; otherwise descend only into
/// differing children and pull the rows that differ, applying them through the same applier as the hot path, so
/// traffic is proportional to the difference. The compact protocol (binary, salted short digests, one request per
/// level) is tried first; a peer that answers its first request with 404 predates it, and the round goes on with the
/// JSON endpoints (one request per node, full version lists of differing leaves).
/// </summary>
internal sealed partial class AntiEntropyRound(LiveConfig config, ReplicaStore store, BatchApplier applier, PeerClient client, SiteBindings bindings, TimeProvider time)
{
    public const string ProgressPrefix = "antientropy:";
    private const int RowsPerRequest = 1000;

    private long _bytes;
    private long _repaired;

    public async Task<AntiEntropyResult> RunAsync(int budget, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
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
        bindings.Check(client.Peer.Settings, schema.Site, config.Current.Peers);
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

    private Task PullAsync(string table, LeafEntry[] entries, (SiteId Site, IReadOnlyDictionary<string, string> Tables) schema, CancellationToken cancellationToken) =>
        InHalvesAsync(entries, part => client.PostRowsAsync(table, [.. part.Select(e => e.Key)], cancellationToken), (_, rows) => ApplyPulled(rows, schema));

    /// <summary>
    /// Fetches the answer for <paramref name="items"/> and hands it to <paramref name="use"/>; an answer too large for
    /// this member's limits is asked for again in halves, each used before the next is fetched (a single item is still
    /// bounded by the row or leaf limit).
    /// </summary>
    private async Task InHalvesAsync<TItem, TAnswer>(TItem[] items, Func<TItem[], Task<(TAnswer Answer, long Bytes)>> fetch, Action<TItem[], TAnswer> use)
    {
        (TAnswer Answer, long Bytes) answer;
        try
        {
            answer = await fetch(items);
        }
        catch (PeerAnswerRejectedException e) when (e.Reason == RejectReason.TooLarge && items.Length > 1)
        {
            var half = items.Length / 2;
            await InHalvesAsync(items[..half], fetch, use);
            await InHalvesAsync(items[half..], fetch, use);
            return;
        }

        _bytes += answer.Bytes;
        use(items, answer.Answer);
    }

    private void ApplyPulled(List<Change> rows, (SiteId Site, IReadOnlyDictionary<string, string> Tables) schema)
    {
        if (rows.Count == 0)
        {
            return;
        }

        if (!store.TryFoldAll())
        {
            throw new RoundDeferredException("the app started writing during the round");
        }

        var result = applier.Apply(
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
