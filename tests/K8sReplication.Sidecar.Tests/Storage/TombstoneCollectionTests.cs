using K8sReplication.Sidecar.Storage;
using static K8sReplication.Sidecar.Tests.Storage.ChangeFactory;

namespace K8sReplication.Sidecar.Tests.Storage;

/// <summary>
/// Tombstone collection at the store: tombstones at or below a horizon leave the version table and the Merkle tree,
/// newer ones and live rows stay; a collected tombstone coming back is skipped, an old live row is not (while every
/// collected delete was certified: see <see cref="UncertainRowTests"/>); a member's own horizon stops below its oldest
/// write a reader has not applied.
/// </summary>
public sealed class TombstoneCollectionTests
{
    [Fact]
    public void Collect_RemovesTombstonesUpToTheHorizon_AndTheTreeForgetsThem()
    {
        using var r = new TestReplica();
        using var clean = new TestReplica();
        var h = NowHlc();
        r.Store.ApplyBatch([Kv("keep", "v", h, SiteA), Kv("gone1", "v", h, SiteA), Kv("gone2", "v", h, SiteA), Kv("late", "v", h, SiteA)], "peer", "1");
        r.Store.ApplyBatch([KvDelete("gone1", h + 10, SiteB), KvDelete("gone2", h + 20, SiteA), KvDelete("late", h + 40, SiteB)], "peer", "2");
        Assert.Equal((1L, 3L), r.Store.Counts());

        Assert.Equal(2, r.Store.CollectTombstones(h + 30));
        Assert.Equal((1L, 1L), r.Store.Counts());
        Assert.Equal(h + 30, r.Store.CollectionHorizon);
        Assert.Equal((1L, 1L), r.Store.CountVersions());

        // The tree is what a member that never saw the collected keys has.
        clean.Store.ApplyBatch([Kv("keep", "v", h, SiteA), Kv("late", "v", h, SiteA)], "peer", "1");
        clean.Store.ApplyBatch([KvDelete("late", h + 40, SiteB)], "peer", "2");
        Assert.Equal(clean.Store.Merkle.Root, r.Store.Merkle.Root);
        r.Reopen();
        Assert.Equal(clean.Store.Merkle.Root, r.Store.Merkle.Root); // rebuilt from the table at open: the same
    }

    [Fact]
    public void CollectedTombstone_ComingBack_IsSkipped_ButAnOldLiveRowIsApplied()
    {
        using var r = new TestReplica();
        var h = NowHlc();
        r.Store.ApplyBatch([Kv("k", "v", h, SiteA)], "peer", "1");
        r.Store.ApplyBatch([KvDelete("k", h + 1, SiteB)], "peer", "2");
        Assert.Equal(1, r.Store.CollectTombstones(h + 1, certified: h + 1)); // every member applied the delete

        var back = r.Store.ApplyBatch([KvDelete("k", h + 1, SiteB)], "peer", "3");
        Assert.Equal((0, 1), (back.Applied, back.SkippedOlder));
        Assert.Equal((0L, 0L), r.Store.Counts());

        // A live version this old with no version here is a row this member never had (a new member's first sync).
        var old = r.Store.ApplyBatch([Kv("other", "v", h - 5, SiteA)], "peer", "4");
        Assert.Equal(1, old.Applied);
        Assert.Equal([new object?[] { "other", "v" }], r.Rows("kv"));
    }

    [Fact]
    public void OwnHorizon_StopsBelowTheOldestOwnWriteNotApplied()
    {
        using var r = new TestReplica();
        r.Exec("INSERT INTO kv VALUES ('a', 1)");
        r.Store.Fold();
        var first = r.Store.ReadChanges(0, 10).Changes.Single();
        r.Exec("INSERT INTO kv VALUES ('b', 2)"); // a capture not folded yet counts too
        var second = r.Store.ReadChanges(first.Seq, 10).Changes.Single();

        Assert.Equal(first.Version.Hlc - 1, r.Store.OwnHorizon(0));
        Assert.Equal(second.Version.Hlc - 1, r.Store.OwnHorizon(first.Seq));
        r.Store.Fold();
        Assert.Equal(r.Store.Hlc, r.Store.OwnHorizon(second.Seq)); // everything applied: its clock
        Assert.True(r.Store.Hlc >= second.Version.Hlc);
    }

    [Fact]
    public void StaleMemberDrop_RemovesWhatThePeerLacks_ButKeepsOwnWritesThePeerNeverApplied()
    {
        using var r = new TestReplica();
        var h = NowHlc();
        r.Store.ApplyBatch([Kv("deleted-elsewhere", "v", h, SiteA), Kv("kept", "v", h, SiteA), KvDelete("old-tombstone", h, SiteB)], "peer", "1");
        r.Exec("INSERT INTO kv VALUES ('own-delivered', 1)");
        r.Store.Fold();
        var delivered = r.Store.MaxSeq;
        r.Exec("INSERT INTO kv VALUES ('own-undelivered', 2)");
        r.Store.Fold();

        var (rows, tombstones, _) = r.Store.DropAbsentAtPeer((table, key) => (string)KeyCodec.Decode(key)[0]! == "kept", delivered, SiteB, 0);
        Assert.Equal((2L, 1L), (rows, tombstones));
        Assert.Equal(["kept", "own-undelivered"], r.Rows("kv").Select(row => (string)row[0]!));
        Assert.Equal((2L, 0L), r.Store.Counts());
        Assert.Equal(r.Store.Counts(), r.Store.CountVersions());
        Assert.True(r.Store.Merkle.Verify());
        Assert.Equal(["own-undelivered"], r.Store.ReadChanges(delivered, 10).Changes.Select(c => (string)KeyCodec.Decode(c.Key)[0]!));
        r.Exec("UPDATE kv SET v = 3 WHERE k = 'own-undelivered'"); // the drop was not captured; later writes are
        Assert.Equal(1, r.Store.Fold());
    }

    [Fact]
    public void TombstoneBelowACollidingKey_IsKept_SoTheKeyIsStillFoundAndNotDuplicated()
    {
        using var r = new TestReplica { ForcedKeyIdBits = 1 }; // two key ids per bucket: keys collide
        r.Reopen();
        var h = NowHlc();
        var keys = Enumerable.Range(0, 64).Select(i => "k" + i).ToList();
        r.Store.ApplyBatch([.. keys.Select(k => Kv(k, "v", h, SiteA))], "peer", "1");
        r.Store.ApplyBatch([.. keys.Where((_, i) => i % 2 == 0).Select(k => KvDelete(k, h + 1, SiteB))], "peer", "2");

        var collected = r.Store.CollectTombstones(h + 1);
        Assert.InRange(collected, 1, 31); // some were kept: a colliding key sits right after them

        // Every live key is still found: updating it moves its version, it is not inserted a second time.
        r.Store.ApplyBatch([.. keys.Where((_, i) => i % 2 == 1).Select(k => Kv(k, "w", h + 2, SiteA))], "peer", "3");
        Assert.Equal((32L, 32L - collected), r.Store.CountVersions());
        Assert.All(r.Rows("kv"), row => Assert.Equal("w", row[1]));
    }
}
