using K8sReplication.Contracts.Wire;

namespace K8sReplication.KubectlPlugin.Diff;

/// <summary>
/// Walks two members' Merkle trees from the root down through children whose digests differ, as anti-entropy does,
/// to the differing leaves, then compares those leaves' version lists row by row. Leaf entries carry the table name,
/// which is how the differing tables are named without reading any row data.
/// </summary>
internal sealed class MerkleDescent(
    Func<string, CancellationToken, Task<MerkleNodesResponse>> referenceNodes,
    Func<string, CancellationToken, Task<MerkleNodesResponse>> memberNodes,
    Func<int, CancellationToken, Task<MerkleLeafResponse>> referenceLeaf,
    Func<int, CancellationToken, Task<MerkleLeafResponse>> memberLeaf)
{
    /// <summary>A mesh that differs everywhere still answers quickly: the descent stops at this many leaves.</summary>
    public const int MaxLeaves = 64;

    public async Task<MemberDifference> CompareAsync(string pod, string memberRoot, int depth, CancellationToken cancellationToken)
    {
        var leaves = new List<int>();
        var pending = new Queue<string>([""]);
        while (pending.Count > 0 && leaves.Count < MaxLeaves)
        {
            var path = pending.Dequeue();
            var ours = (await referenceNodes(path, cancellationToken)).Children;
            var theirs = (await memberNodes(path, cancellationToken)).Children;
            for (var i = 0; i < Math.Min(ours.Count, theirs.Count) && leaves.Count < MaxLeaves; i++)
            {
                if (string.Equals(ours[i], theirs[i], StringComparison.Ordinal))
                {
                    continue;
                }

                var child = path + i.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
                if (child.Length == depth)
                {
                    leaves.Add(Convert.ToInt32(child, 16));
                }
                else
                {
                    pending.Enqueue(child);
                }
            }
        }

        var tables = new SortedSet<string>(StringComparer.Ordinal);
        var rows = 0;
        foreach (var leaf in leaves)
        {
            var differing = DifferingEntries((await referenceLeaf(leaf, cancellationToken)).Entries, (await memberLeaf(leaf, cancellationToken)).Entries);
            rows += differing.Count;
            tables.UnionWith(differing.Select(e => e.Table));
        }

        return new MemberDifference
        {
            Pod = pod,
            MerkleRoot = memberRoot,
            Leaves = leaves,
            Tables = [.. tables],
            Rows = rows,
            Truncated = leaves.Count >= MaxLeaves,
        };
    }

    /// <summary>Rows held by one side only, or held by both at different versions (clock, site or deletion).</summary>
    public static IReadOnlyList<WireLeafEntry> DifferingEntries(IReadOnlyList<WireLeafEntry> ours, IReadOnlyList<WireLeafEntry> theirs)
    {
        ArgumentNullException.ThrowIfNull(ours);
        ArgumentNullException.ThrowIfNull(theirs);
        static string Row(WireLeafEntry e) => e.Table + "\0" + Convert.ToBase64String(e.Key);
        var theirsByRow = theirs.ToDictionary(Row, StringComparer.Ordinal);
        var oursByRow = ours.ToDictionary(Row, StringComparer.Ordinal);
        var changedOrMissing = ours.Where(e => !theirsByRow.TryGetValue(Row(e), out var t) || t.Hlc != e.Hlc || t.Site != e.Site || t.Deleted != e.Deleted);
        var onlyTheirs = theirs.Where(e => !oursByRow.ContainsKey(Row(e)));
        return [.. changedOrMissing, .. onlyTheirs];
    }
}
