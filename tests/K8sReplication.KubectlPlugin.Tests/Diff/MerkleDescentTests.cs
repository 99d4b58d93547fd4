using K8sReplication.Contracts.Wire;
using K8sReplication.KubectlPlugin.Diff;

namespace K8sReplication.KubectlPlugin.Tests.Diff;

public sealed class MerkleDescentTests
{
    private const int Depth = 2;

    [Fact]
    public async Task Compare_DescendsOnlyDifferingChildren_AndNamesTheTablesOfDifferingRows()
    {
        var ours = new Dictionary<int, WireLeafEntry[]>
        {
            [0x3a] = [Entry("items", 1, 10), Entry("users", 2, 10)],
            [0xf0] = [Entry("orders", 3, 10)],
        };
        var theirs = new Dictionary<int, WireLeafEntry[]>
        {
            [0x3a] = [Entry("items", 1, 11), Entry("users", 2, 10)],
            [0xf0] = [Entry("orders", 3, 10), Entry("audit", 4, 12)],
        };
        var visited = new List<string>();
        var descent = new MerkleDescent(
            (path, _) => Task.FromResult(Nodes(path, ours, visited)),
            (path, _) => Task.FromResult(Nodes(path, theirs, null)),
            (leaf, _) => Task.FromResult(Leaf(leaf, ours)),
            (leaf, _) => Task.FromResult(Leaf(leaf, theirs)));

        var difference = await descent.CompareAsync("demo-1", "root", Depth, CancellationToken.None);

        Assert.Equal([0x3a, 0xf0], difference.Leaves);
        Assert.Equal(["audit", "items"], difference.Tables);
        Assert.Equal(2, difference.Rows);
        Assert.False(difference.Truncated);
        Assert.Equal(["", "3", "f"], visited);
    }

    [Fact]
    public void DifferingEntries_ComparesClockSiteAndDeletion_AndRowsOnOneSideOnly()
    {
        WireLeafEntry[] ours = [Entry("t", 1, 5), Entry("t", 2, 5), Entry("t", 3, 5), Entry("t", 4, 5)];
        WireLeafEntry[] theirs = [Entry("t", 1, 5), Entry("t", 2, 5) with { Site = "other" }, Entry("t", 3, 5) with { Deleted = true }, Entry("u", 4, 5)];

        var differing = MerkleDescent.DifferingEntries(ours, theirs);

        Assert.Equal([(2, "t"), (3, "t"), (4, "t"), (4, "u")], differing.Select(e => ((int)e.Key[0], e.Table)));
    }

    private static WireLeafEntry Entry(string table, byte key, long hlc) => new() { Table = table, Key = [key], Hlc = hlc, Site = "site" };

    /// <summary>A two-level tree whose node digest is the text of the leaf entries under it.</summary>
    private static MerkleNodesResponse Nodes(string path, Dictionary<int, WireLeafEntry[]> leaves, List<string>? visited)
    {
        visited?.Add(path);
        var children = Enumerable.Range(0, 16).Select(i =>
        {
            var prefix = path + i.ToString("x");
            return string.Join("|", leaves.Where(l => l.Key.ToString("x2").StartsWith(prefix, StringComparison.Ordinal))
                .SelectMany(l => l.Value).Select(e => $"{e.Table}{e.Key[0]}{e.Hlc}{e.Site}{e.Deleted}"));
        }).ToList();
        return new MerkleNodesResponse { Path = path, Children = children };
    }

    private static MerkleLeafResponse Leaf(int leaf, Dictionary<int, WireLeafEntry[]> leaves) =>
        new() { Leaf = leaf, Entries = leaves.TryGetValue(leaf, out var entries) ? entries : [] };
}
