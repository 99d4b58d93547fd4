using K8sReplication.Sidecar.Repair;
using K8sReplication.Sidecar.Storage;
using static K8sReplication.Sidecar.Tests.Storage.ChangeFactory;

namespace K8sReplication.Sidecar.Tests.Storage;

public sealed class MerkleTreeTests
{
    [Fact]
    public void SameVersions_InAnyOrder_GiveSameRoot_AndMaintenanceMatchesRebuild()
    {
        var h = NowHlc();
        var changes = Enumerable.Range(0, 60).Select(i => Kv("k" + (i % 25), (long)i, h + i, i % 2 == 0 ? SiteA : SiteB)).ToArray();
        using var a = new TestReplica();
        using var b = new TestReplica();
        a.Store.ApplyBatch(changes, "x", "1");
        foreach (var change in changes.Reverse())
        {
            b.Store.ApplyBatch([change], "x", "1");
        }

        Assert.Equal(a.Store.Merkle.Root, b.Store.Merkle.Root);
        Assert.NotEqual(new byte[16], a.Store.Merkle.Root);
        Assert.True(a.Store.Merkle.Verify());
        Assert.True(b.Store.Merkle.Verify());
        var root = a.Store.Merkle.Root;
        a.Reopen(); // rebuilt at open
        Assert.Equal(root, a.Store.Merkle.Root);
    }

    [Fact]
    public void OneChangedVersion_ChangesExactlyOnePathToTheRoot()
    {
        using var a = new TestReplica(merkleDepth: 3);
        using var b = new TestReplica(merkleDepth: 3);
        var h = NowHlc();
        var changes = Enumerable.Range(0, 200).Select(i => Kv("k" + i, (long)i, h, SiteA)).ToArray();
        a.Store.ApplyBatch(changes, "x", "1");
        b.Store.ApplyBatch(changes, "x", "1");
        b.Store.ApplyBatch([Kv("k7", "new", h + 1, SiteB)], "x", "2");

        var path = "";
        for (var level = 0; level < 3; level++)
        {
            var differing = MerkleDiff.DifferingChildren(a.Store.Merkle.Children(path), b.Store.Merkle.Children(path));
            path = MerkleDiff.ChildPath(path, Assert.Single(differing));
        }

        var leaf = MerkleDiff.LeafIndex(path);
        var winners = MerkleDiff.RemoteWinners(a.Store.Merkle.Leaf(leaf), b.Store.Merkle.Leaf(leaf));
        var winner = Assert.Single(winners);
        Assert.Equal(["k7"], KeyCodec.Decode(winner.Key));
        Assert.Equal(SiteB, winner.Version.Site);
        Assert.Empty(MerkleDiff.RemoteWinners(b.Store.Merkle.Leaf(leaf), a.Store.Merkle.Leaf(leaf)));

        Assert.Equal(1, ConvergenceScenario.Pull(a.Store, b.Store));
        Assert.Equal(a.Store.Merkle.Root, b.Store.Merkle.Root);
    }

    [Fact]
    public void LeafLists_PartitionAllVersions()
    {
        using var r = new TestReplica(merkleDepth: 1);
        r.Exec("INSERT INTO kv VALUES ('a', 1), ('b', 2), ('c', 3)");
        r.Exec("INSERT INTO items VALUES (1, 'x'), (2, 'y')");
        r.Exec("DELETE FROM kv WHERE k = 'c'");
        r.Store.Fold();
        var entries = Enumerable.Range(0, r.Store.Merkle.LeafCount).SelectMany(r.Store.Merkle.Leaf).ToList();
        Assert.Equal(5, entries.Count);
        Assert.Single(entries, e => e.Version.Deleted);
        Assert.Equal(16, r.Store.Merkle.Children("").Count);
        Assert.Throws<ArgumentException>(() => r.Store.Merkle.Children("0"));
        Assert.Throws<ArgumentException>(() => r.Store.Merkle.Children("G"));
    }

    [Fact]
    public void MerkleDiff_PathHelpers_RoundTrip()
    {
        Assert.Equal("a3", MerkleDiff.ChildPath("a", 3));
        Assert.Equal(0xa3, MerkleDiff.LeafIndex("a3"));
        Assert.Equal("00a3", MerkleDiff.LeafPath(0xa3, 4));
        Assert.Equal([1, 15], MerkleDiff.DifferingChildren(
            Enumerable.Range(0, 16).Select(i => new byte[] { (byte)i }).ToArray(),
            Enumerable.Range(0, 16).Select(i => new byte[] { (byte)(i is 1 or 15 ? 99 : i) }).ToArray()));
    }
}
