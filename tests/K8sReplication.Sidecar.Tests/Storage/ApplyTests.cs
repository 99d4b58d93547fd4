using K8sReplication.Sidecar.Storage;
using static K8sReplication.Sidecar.Tests.Storage.ChangeFactory;

namespace K8sReplication.Sidecar.Tests.Storage;

public sealed class ApplyTests
{
    [Fact]
    public void NewerVersion_Wins_OlderAndDuplicate_AreSkipped()
    {
        using var r = new TestReplica();
        var h = NowHlc();
        var first = r.Store.ApplyBatch([Kv("a", "v1", h, SiteA)], "peer", "1");
        Assert.Equal(1, first.Applied);
        Assert.Equal(1, first.PerTable["kv"].Applied);
        Assert.True(first.CursorStored);

        var again = r.Store.ApplyBatch([Kv("a", "v1", h, SiteA)], "peer", "2");
        Assert.Equal(1, again.SkippedDuplicate);
        var older = r.Store.ApplyBatch([Kv("a", "old", h - 1, SiteA)], "peer", "3");
        Assert.Equal(1, older.SkippedOlder);
        var lost = r.Store.ApplyBatch([Kv("a", "lost", h - 1, SiteB)], "peer", "4");
        Assert.Equal(1, lost.ConflictsLost);
        Assert.Equal("v1", r.Rows("kv").Single()[1]);

        // Same HLC: the greater site wins, deterministically.
        var tie = r.Store.ApplyBatch([Kv("a", "tie", h, SiteB)], "peer", "5");
        Assert.Equal(1, tie.Applied);
        Assert.Equal("tie", r.Rows("kv").Single()[1]);
        Assert.Equal("5", r.Store.ReadCursor("peer"));
    }

    [Fact]
    public void Tombstone_DeletesRow_AndBlocksOlderResurrection()
    {
        using var r = new TestReplica();
        var h = NowHlc();
        r.Store.ApplyBatch([Kv("a", 1L, h, SiteA)], "peer", "1");
        r.Store.ApplyBatch([KvDelete("a", h + 1, SiteB)], "peer", "2");
        Assert.Empty(r.Rows("kv"));
        var result = r.Store.ApplyBatch([Kv("a", 2L, h, SiteB)], "peer", "3");
        Assert.Equal(1, result.SkippedOlder);
        Assert.Empty(r.Rows("kv"));
        Assert.Equal((0L, 1L), r.Store.Counts());
    }

    [Fact]
    public void ReceiveRule_LocalWritesAfterApply_GetGreaterHlc()
    {
        using var r = new TestReplica();
        var remote = NowHlc(60_000); // a peer one minute ahead (within the 5 min skew)
        r.Store.ApplyBatch([Kv("a", "remote", remote, SiteA)], "peer", "1");
        Assert.True(r.Store.Hlc >= remote);
        r.Exec("UPDATE kv SET v = 'local' WHERE k = 'a'");
        r.Store.Fold();
        var change = r.Store.ReadChanges(0, 10).Changes.Single();
        Assert.True(change.Version.Hlc > remote);
        Assert.Equal(r.Store.Site, change.Version.Site);
        Assert.Equal("local", change.Values![1]);
    }

    [Fact]
    public void Apply_FoldsPendingLocalWritesFirst_SoANewerLocalWriteIsNotOverwritten()
    {
        using var r = new TestReplica();
        var old = NowHlc(-60_000);
        r.Exec("INSERT INTO kv VALUES ('a', 'local')"); // not folded yet
        var result = r.Store.ApplyBatch([Kv("a", "remote-old", old, SiteA)], "peer", "1");
        Assert.Equal(1, result.ConflictsLost);
        Assert.Equal("local", r.Rows("kv").Single()[1]);
    }

    [Fact]
    public void FutureVersion_IsRejectedAndCounted_TheRestCommits()
    {
        using var r = new TestReplica();
        var result = r.Store.ApplyBatch([Kv("far", 1L, NowHlc(3_600_000), SiteA), Kv("ok", 2L, NowHlc(), SiteA)], "peer", "7");
        Assert.Equal(1, result.RejectedFuture);
        Assert.Equal(1, result.Applied);
        Assert.Contains(result.Rejections, m => m.Contains("changes[0].version.hlc", StringComparison.Ordinal));
        Assert.Equal("ok", Assert.Single(r.Rows("kv"))[0]);
        Assert.True(r.Store.Hlc < NowHlc(3_000_000), "a rejected version must not advance the clock");
    }

    [Fact]
    public void SchemaMismatch_HoldsTableBack_LeavesDataUntouched_AndDoesNotStoreCursor()
    {
        using var r = new TestReplica();
        r.Store.ApplyBatch([Kv("a", 1L, NowHlc(), SiteA)], "peer", "1");
        var hashes = new Dictionary<string, string> { ["kv"] = "0123456789abcdef0123456789abcdef" };
        var result = r.Store.ApplyBatch([Kv("a", 2L, NowHlc(1), SiteA)], "peer", "2", hashes);
        Assert.Equal(1, result.RejectedSchema);
        Assert.False(result.CursorStored);
        Assert.Equal("1", r.Store.ReadCursor("peer"));
        Assert.Equal(1L, r.Rows("kv").Single()[1]);

        var matching = new Dictionary<string, string>(r.Store.SchemaHashes);
        Assert.Equal(1, r.Store.ApplyBatch([Kv("a", 2L, NowHlc(1), SiteA)], "peer", "2", matching).Applied);
    }

    [Fact]
    public void TableTheSenderReplicatesButThisMemberLacks_IsHeldBack_WhileTheRestOfTheBatchApplies()
    {
        using var r = new TestReplica();
        var senderHashes = new Dictionary<string, string>(r.Store.SchemaHashes) { ["later"] = "0123456789abcdef0123456789abcdef" };
        var later = new Change("later", KeyCodec.Encode(["x"]), new RowVersion(NowHlc(), SiteA, false), ["x", 1L], 0);
        var result = r.Store.ApplyBatch([Kv("a", 1L, NowHlc(), SiteA), later], "peer", "1", senderHashes);
        Assert.Equal(1, result.Applied);
        Assert.Equal(1, result.RejectedSchema);
        Assert.False(result.CursorStored);
        Assert.Null(r.Store.ReadCursor("peer"));
        Assert.Contains(result.Rejections, m => m.Contains("'later' is replicated by the sender but not here", StringComparison.Ordinal));

        // Once the app here creates the table, the same batch goes through.
        r.Exec("CREATE TABLE later(id TEXT PRIMARY KEY, v)");
        r.Store.Refresh();
        senderHashes["later"] = r.Store.SchemaHashes["later"];
        Assert.True(r.Store.ApplyBatch([Kv("a", 1L, NowHlc(), SiteA), later], "peer", "1", senderHashes).CursorStored);
        Assert.Equal([new object?[] { "x", 1L }], r.Rows("later"));
    }

    [Fact]
    public void WithAHeldKeyPrefix_TheCursorMovesOn_AndEachHeldTableKeepsItsLowestResumePoint_UntilTaken()
    {
        using var r = new TestReplica();
        var senderHashes = new Dictionary<string, string>(r.Store.SchemaHashes) { ["later"] = "0123456789abcdef0123456789abcdef" };
        Change Later(string id, long seq) => new("later", KeyCodec.Encode([id]), new RowVersion(NowHlc(), SiteA, false), [id, 1L], seq);

        var first = r.Store.ApplyBatch([Kv("a", 1L, NowHlc(), SiteA) with { Seq = 10 }, Later("x", 11), Later("y", 12)], "feed:s", "12", senderHashes, "held:s:");
        Assert.Equal((1, 2, true), (first.Applied, first.RejectedSchema, first.CursorStored));
        Assert.Equal("12", r.Store.ReadCursor("feed:s"));
        Assert.Equal("10", r.Store.ReadCursor("held:s:later")); // just below the first held change

        // A later batch holding the table again keeps the earlier (lower) resume point.
        Assert.True(r.Store.ApplyBatch([Later("z", 20)], "feed:s", "20", senderHashes, "held:s:").CursorStored);
        Assert.Equal("20", r.Store.ReadCursor("feed:s"));
        Assert.Equal("10", r.Store.ReadCursor("held:s:later"));

        // Schemas agree: taking the held point rewinds the cursor to it and forgets the point.
        Assert.Equal("10", r.Store.TakeHeld("feed:s", "held:s:", ["later"]));
        Assert.Equal("10", r.Store.ReadCursor("feed:s"));
        Assert.Null(r.Store.ReadCursor("held:s:later"));
        Assert.Equal("10", r.Store.TakeHeld("feed:s", "held:s:", ["later"])); // nothing held: the cursor stays
    }

    [Fact]
    public void ReadChanges_PagesInSeqOrder_AndFiltersByOrigin()
    {
        using var r = new TestReplica();
        r.Store.ApplyBatch([Kv("r1", 1L, NowHlc(), SiteA), Kv("r2", 1L, NowHlc(), SiteB)], "peer", "1");
        r.Exec("INSERT INTO kv VALUES ('l1', 1), ('l2', 2)");
        r.Store.Fold();

        var page1 = r.Store.ReadChanges(0, 3);
        Assert.Equal(3, page1.Changes.Count);
        Assert.Equal(r.Store.MaxSeq, page1.MaxSeq);
        var page2 = r.Store.ReadChanges(page1.LastSeq, 3);
        Assert.Single(page2.Changes);
        Assert.Equal(page1.MaxSeq, page2.LastSeq);
        Assert.Equal(page1.MaxSeq, page2.Changes[0].Seq);
        var all = page1.Changes.Concat(page2.Changes).Select(c => c.Seq).ToList();
        Assert.Equal(all.Order().ToList(), all);

        var fromA = r.Store.ReadChanges(0, 10, SiteA);
        Assert.Equal("r1", KeyCodec.Decode(Assert.Single(fromA.Changes).Key)[0]);
        Assert.Equal(2, r.Store.ReadChanges(0, 10, r.Store.Site).Changes.Count);
        Assert.Equal(fromA.MaxSeq, fromA.LastSeq); // whole snapshot scanned: nothing to rescan
    }

    [Fact]
    public void ReadRows_ReturnsCurrentVersionsAndTombstones()
    {
        using var r = new TestReplica();
        r.Exec("INSERT INTO kv VALUES ('a', 1), ('b', 2)");
        r.Exec("DELETE FROM kv WHERE k = 'b'");
        r.Store.Fold();
        var rows = r.Store.ReadRows("kv", [KeyCodec.Encode(["a"]), KeyCodec.Encode(["b"]), KeyCodec.Encode(["missing"])]);
        Assert.Equal(2, rows.Count);
        Assert.Equal(new object?[] { "a", 1L }, rows[0].Values);
        Assert.True(rows[1].Version.Deleted);
    }

    [Fact]
    public void AppTriggers_FireForAppliedRows_FromTheBatchAfterTheAppCreatesThem()
    {
        // audit is replicated too: what the app's trigger writes into it while a batch applies is not captured.
        using var r = new TestReplica(TestReplica.DefaultSchema + "CREATE TABLE audit(k TEXT PRIMARY KEY, v);");
        var h = NowHlc();
        r.Store.ApplyBatch([Kv("a", 1L, h, SiteA)], "peer", "1");
        Assert.False(r.Store.AppTriggersFire); // only our capture triggers exist: applied rows run no trigger program

        // The trigger names the table in another case: SQLite names are case-insensitive.
        r.Exec("CREATE TRIGGER kv_audit AFTER INSERT ON KV BEGIN INSERT INTO audit(k, v) VALUES (NEW.k, NEW.v); END");
        r.Store.ApplyBatch([Kv("b", 2L, h + 1, SiteA)], "peer", "2");
        Assert.True(r.Store.AppTriggersFire);
        Assert.Equal([new object?[] { "b", 2L }], r.Rows("audit"));

        r.Exec("DROP TRIGGER kv_audit");
        r.Store.ApplyBatch([Kv("c", 3L, h + 2, SiteA)], "peer", "3");
        Assert.False(r.Store.AppTriggersFire);
        Assert.Single(r.Rows("audit"));

        // Applied rows, and the audit row the app's trigger wrote for one, were never captured as local changes, in
        // either mode; the app's own writes still are.
        Assert.Equal(0, r.Store.Fold());
        Assert.All(r.Store.ReadChanges(0, 10).Changes, c => Assert.Equal(SiteA, c.Version.Site));
        r.Exec("INSERT INTO kv(k, v) VALUES ('d', 4)");
        Assert.Equal(1, r.Store.Fold());
        Assert.Equal(r.Store.Site, r.Store.ReadChanges(0, 10).Changes[^1].Version.Site);
    }
}
