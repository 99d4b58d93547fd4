using K8sReplication.Sidecar.Storage;
using static K8sReplication.Sidecar.Tests.Storage.ChangeFactory;

namespace K8sReplication.Sidecar.Tests.Storage;

/// <summary>
/// Live rows this member holds no version of, older than deletes it collected. While a delete was collected that some
/// member may never have applied (by age, above the certified mesh horizon), such a row may be one that delete removed,
/// coming back from a member that still holds it: it is skipped, from a feed as from a repair. Once a mesh horizon
/// passes the uncertain mark, or when every collected delete was certified, it is a genuine row and is applied whatever
/// its age. A resynchronising member drops its own live rows at or below the peer's uncertain mark into the conflict log.
/// </summary>
public sealed class UncertainRowTests
{
    [Fact]
    public void NewMember_TakesEveryOldLiveRow_EvenWithACollectionHorizon()
    {
        using var r = new TestReplica();
        var h = NowHlc();
        r.Store.CollectTombstones(h + 100); // by age, with nothing to collect: the horizon moves, nothing is uncertain

        var result = r.Store.ApplyBatch([Kv("old", "v", h - 1_000_000, SiteA), Kv("older", "w", h - 2_000_000, SiteB)], "feed:a", "2");

        Assert.Equal(2, result.Applied);
        Assert.Equal(0, r.Store.UncertainUpTo);
        Assert.Equal(2, r.Rows("kv").Count);
    }

    [Fact]
    public void OldLiveRow_AfterADeleteCollectedByAge_IsSkipped_ByTheFeedAndByRepair_ButANewerOneIsApplied()
    {
        using var r = new TestReplica();
        var h = NowHlc();
        r.Store.ApplyBatch([Kv("k", "v", h, SiteA)], "feed:a", "1");
        r.Store.ApplyBatch([KvDelete("k", h + 10, SiteB)], "feed:b", "1");
        Assert.Equal(1, r.Store.CollectTombstones(h + 20)); // by age: a member that was away may still hold k

        Assert.Equal(h + 10, r.Store.UncertainUpTo);
        var fromFeed = r.Store.ApplyBatch([Kv("k", "v", h, SiteA)], "feed:c", "1");
        var fromRepair = r.Store.ApplyBatch([Kv("k", "v", h + 5, SiteA)], "ae:c", "repair");
        var newer = r.Store.ApplyBatch([Kv("fresh", "v", h + 11, SiteA)], "feed:c", "2");

        Assert.Equal((0, 1), (fromFeed.Applied, fromFeed.SkippedOlder));
        Assert.Equal((0, 1), (fromRepair.Applied, fromRepair.SkippedOlder));
        Assert.Equal(1, newer.Applied);
        Assert.Equal([new object?[] { "fresh", "v" }], r.Rows("kv"));
    }

    [Fact]
    public void GenuineOldRowSkippedWhileUncertain_IsAppliedOnceAMeshHorizonPassesTheMark()
    {
        using var r = new TestReplica();
        var h = NowHlc();
        r.Store.ApplyBatch([KvDelete("deleted", h + 10, SiteB)], "feed:b", "1");
        r.Store.CollectTombstones(h + 20, certified: h);
        Assert.Equal((0, 1), Outcome(r.Store.ApplyBatch([Kv("genuine", "v", h + 5, SiteA)], "feed:a", "1")));

        r.Store.CollectTombstones(h + 30, certified: h + 30); // the away member is back and caught up

        Assert.Equal(0, r.Store.UncertainUpTo);
        Assert.Equal((1, 0), Outcome(r.Store.ApplyBatch([Kv("genuine", "v", h + 5, SiteA)], "ae:a", "repair")));
        Assert.Equal([new object?[] { "genuine", "v" }], r.Rows("kv"));
    }

    [Fact]
    public void CertifiedCollection_LeavesNothingUncertain_AndAnOldGenuineRowIsApplied()
    {
        using var r = new TestReplica();
        var h = NowHlc();
        r.Store.ApplyBatch([KvDelete("deleted", h + 10, SiteB)], "feed:b", "1");
        Assert.Equal(1, r.Store.CollectTombstones(h + 20, certified: h + 20));

        Assert.Equal(0, r.Store.UncertainUpTo);
        Assert.Equal((1, 0), Outcome(r.Store.ApplyBatch([Kv("genuine", "v", h + 5, SiteA)], "feed:a", "1")));
    }

    [Fact]
    public void CertifiedHorizon_IsUncertainAgain_AfterARestart_AndWhenAMemberIsCountedAnew()
    {
        using var r = new TestReplica();
        var h = NowHlc();
        r.Store.ApplyBatch([KvDelete("deleted", h + 10, SiteB)], "feed:b", "1");
        r.Store.CollectTombstones(h + 20, certified: h + 20);
        Assert.Equal(0, r.Store.UncertainUpTo);

        // Which members that horizon counted is not kept: one added back with its old volume may hold deleted rows.
        r.Reopen();
        Assert.Equal(h + 20, r.Store.CertifiedHorizon);
        Assert.Equal(h + 20, r.Store.UncertainUpTo);
        Assert.Equal((0, 1), Outcome(r.Store.ApplyBatch([Kv("deleted", "v", h + 5, SiteA)], "feed:a", "1")));

        r.Store.CollectTombstones(h + 30, certified: h + 30);
        Assert.Equal(0, r.Store.UncertainUpTo);
        r.Store.MemberCounted();
        Assert.Equal(h + 30, r.Store.UncertainUpTo);
        r.Reopen();
        Assert.Equal(h + 30, r.Store.UncertainUpTo); // kept in the database
    }

    [Fact]
    public void StaleMemberDrop_KeepsItsOwnLiveRowsAtOrBelowThePeersUncertainMark_InTheConflictLog()
    {
        using var r = new TestReplica();
        r.Exec("INSERT INTO kv VALUES ('rewritten-old', 1)");
        r.Store.Fold();
        var delivered = r.Store.MaxSeq;
        r.Exec("INSERT INTO kv VALUES ('undelivered-old', 2)");
        r.Exec("DELETE FROM kv WHERE k = 'rewritten-old'");
        r.Exec("INSERT INTO kv VALUES ('rewritten-old', 3)"); // its new version was not delivered
        r.Store.Fold();
        var mark = r.Store.Hlc;
        r.Exec("INSERT INTO kv VALUES ('undelivered-new', 4)");
        r.Store.Fold();

        var (rows, tombstones, recorded) = r.Store.DropAbsentAtPeer((_, _) => false, delivered, SiteB, mark);

        Assert.Equal((2L, 0L), (rows, tombstones));
        Assert.Equal([("kv", ConflictReasons.Expired), ("kv", ConflictReasons.Expired)], recorded);
        Assert.Equal([new object?[] { "undelivered-new", 4L }], r.Rows("kv"));
        var logged = r.Store.ReadConflicts("kv", null, 10);
        Assert.Equal(["rewritten-old|3", "undelivered-old|2"],
            logged.Select(c => $"{KeyCodec.Decode(c.Key)[0]}|{c.LoserValues![1]}").Order(StringComparer.Ordinal));
        Assert.All(logged, c => Assert.Equal((ConflictReasons.Expired, mark, SiteB), (c.Reason, c.Winner.Hlc, c.Winner.Site)));
        Assert.True(r.Store.Merkle.Verify());
    }

    [Fact]
    public void StaleMemberDrop_DropsItsOwnDeliveredRowsThePeerLacks_WithARecordOnlyAtOrBelowTheMark()
    {
        using var r = new TestReplica();
        r.Exec("INSERT INTO kv VALUES ('old', 1)");
        r.Store.Fold();
        var mark = r.Store.Hlc;
        r.Exec("INSERT INTO kv VALUES ('new', 2)");
        r.Store.Fold();

        // The peer applied both and lacks both: it skipped the old one (uncertain there), deleted the new one.
        var (rows, _, _) = r.Store.DropAbsentAtPeer((_, _) => false, r.Store.MaxSeq, SiteB, mark);

        Assert.Equal(2L, rows);
        Assert.Empty(r.Rows("kv"));
        Assert.Equal(["old"], r.Store.ReadConflicts("kv", null, 10).Select(c => (string)KeyCodec.Decode(c.Key)[0]!));
    }

    private static (int Applied, int Skipped) Outcome(ApplyResult result) => (result.Applied, result.SkippedOlder);
}
