using K8sReplication.Sidecar.Storage;
using K8sReplication.TestKit.Sqlite;
using static K8sReplication.Sidecar.Tests.Storage.ChangeFactory;

namespace K8sReplication.Sidecar.Tests.Storage;

/// <summary>
/// Which overwrites are conflicts: a write that replaced a version it never saw discards that version, and the member
/// holding it keeps it in the conflict log with its row image; a write made over what it replaces (its base) is an
/// ordinary update and records nothing. Members exchange their own feeds (origin filter), as in a full mesh.
/// </summary>
public sealed class ConflictDetectionTests
{
    private const string Schema = """
        CREATE TABLE kv(k TEXT PRIMARY KEY, v);
        CREATE TABLE counters(id INTEGER PRIMARY KEY, n INTEGER);
        CREATE TABLE users(id TEXT PRIMARY KEY, email TEXT UNIQUE, name TEXT);
        CREATE TABLE clock(k TEXT PRIMARY KEY);
        """;

    [Theory]
    [InlineData(true)]
    [InlineData(false)] // served from the capture log before the fold: the base is read from the stored version
    public void SequentialUpdates_AcrossMembers_AreNoConflicts(bool foldFirst)
    {
        using var a = new TestReplica(Schema);
        using var b = new TestReplica(Schema);
        a.Exec("INSERT INTO kv VALUES ('k', 'a0')");
        Pull(a, b, foldFirst);
        b.Exec("UPDATE kv SET v = 'b1' WHERE k = 'k'");
        Pull(b, a, foldFirst);

        // Two writes in a row on A (the feed sends only the last, based on B's write), then B deletes it.
        a.Exec("UPDATE kv SET v = 'a2' WHERE k = 'k'");
        a.Exec("UPDATE kv SET v = 'a3' WHERE k = 'k'");
        Pull(a, b, foldFirst);
        b.Exec("DELETE FROM kv WHERE k = 'k'");
        Pull(b, a, foldFirst);
        a.Exec("INSERT INTO kv VALUES ('k', 'a4')");
        Pull(a, b, foldFirst);

        Assert.Equal([new object?[] { "k", "a4" }], b.Rows("kv"));
        Assert.Empty(a.Store.ReadConflicts(null, null, 100));
        Assert.Empty(b.Store.ReadConflicts(null, null, 100));
    }

    [Fact]
    public void ConcurrentUpdates_TheLoserIsKept_WhereItWasDiscarded()
    {
        using var a = new TestReplica(Schema);
        using var b = new TestReplica(Schema);
        a.Exec("INSERT INTO kv VALUES ('k', 'start')");
        Pull(a, b);

        // Both update the same version; B's write is later, so it wins everywhere.
        a.Exec("UPDATE kv SET v = 'from-a' WHERE k = 'k'");
        a.Store.Fold();
        AheadOfNow(b);
        b.Exec("UPDATE kv SET v = 'from-b' WHERE k = 'k'");
        Pull(a, b);
        Pull(b, a);

        Assert.Equal(a.Rows("kv"), b.Rows("kv"));
        Assert.Equal([new object?[] { "k", "from-b" }], a.Rows("kv"));
        var lost = Assert.Single(a.Store.ReadConflicts(null, null, 100));
        Assert.Equal(("kv", ConflictReasons.Lww), (lost.Table, lost.Reason));
        Assert.Equal(["k"], KeyCodec.Decode(lost.Key));
        Assert.Equal(new object?[] { "k", "from-a" }, lost.LoserValues);
        Assert.Equal(a.Store.Site, lost.Loser.Site);
        Assert.Equal(b.Store.Site, lost.Winner.Site);
        Assert.True(lost.Winner > lost.Loser);
        Assert.Empty(b.Store.ReadConflicts(null, null, 100)); // B discarded A's write without ever holding it
    }

    [Fact]
    public void TwoInsertsOfTheSameIntegerKey_TheLoserIsKept()
    {
        using var a = new TestReplica(Schema);
        using var b = new TestReplica(Schema);
        a.Exec("INSERT INTO counters(id, n) VALUES (1, 10)");
        a.Store.Fold();
        AheadOfNow(b);
        b.Exec("INSERT INTO counters(id, n) VALUES (1, 20)");
        Pull(a, b);
        Pull(b, a);

        Assert.Equal([new object?[] { 1L, 20L }], a.Rows("counters"));
        var lost = Assert.Single(a.Store.ReadConflicts("counters", null, 100));
        Assert.Equal(new object?[] { 1L, 10L }, lost.LoserValues);
        Assert.Empty(a.Store.ReadConflicts("kv", null, 100));
    }

    [Fact]
    public void ConcurrentDelete_WinsOverAnUpdate_TheUpdateIsKeptAsDeleted()
    {
        using var a = new TestReplica(Schema);
        using var b = new TestReplica(Schema);
        a.Exec("INSERT INTO kv VALUES ('k', 'start')");
        Pull(a, b);
        b.Exec("UPDATE kv SET v = 'edited' WHERE k = 'k'");
        b.Store.Fold();
        AheadOfNow(a);
        a.Exec("DELETE FROM kv WHERE k = 'k'");
        Pull(a, b);
        Pull(b, a);

        Assert.Empty(b.Rows("kv"));
        Assert.Empty(a.Rows("kv"));
        var lost = Assert.Single(b.Store.ReadConflicts(null, null, 100));
        Assert.Equal(ConflictReasons.Deleted, lost.Reason);
        Assert.Equal(new object?[] { "k", "edited" }, lost.LoserValues);
        Assert.True(lost.Winner.Site == a.Store.Site);
    }

    [Fact]
    public void UpdateWinningOverAConcurrentDelete_KeepsTheLosingDelete()
    {
        using var a = new TestReplica(Schema);
        using var b = new TestReplica(Schema);
        a.Exec("INSERT INTO kv VALUES ('k', 'start')");
        Pull(a, b);
        a.Exec("DELETE FROM kv WHERE k = 'k'");
        a.Store.Fold();
        AheadOfNow(b);
        b.Exec("UPDATE kv SET v = 'kept' WHERE k = 'k'");
        Pull(a, b);
        Pull(b, a);

        Assert.Equal([new object?[] { "k", "kept" }], a.Rows("kv"));
        var lost = Assert.Single(a.Store.ReadConflicts(null, null, 100));
        Assert.Equal(ConflictReasons.Lww, lost.Reason);
        Assert.True(lost.Loser.Deleted);
        Assert.Null(lost.LoserValues);
    }

    [Fact]
    public void UniqueValueTakenByALaterRow_TheEarlierRowIsKeptAsUnique()
    {
        using var a = new TestReplica(Schema);
        using var b = new TestReplica(Schema);
        a.Exec("INSERT INTO users VALUES ('u1', 'ann@example.com', 'Ann on A')");
        a.Store.Fold();
        AheadOfNow(b);
        b.Exec("INSERT INTO users VALUES ('u2', 'ann@example.com', 'Ann on B')");
        Pull(a, b);
        Pull(b, a);

        Assert.Equal(a.Rows("users"), b.Rows("users"));
        Assert.Equal([new object?[] { "u2", "ann@example.com", "Ann on B" }], a.Rows("users"));
        var lost = Assert.Single(a.Store.ReadConflicts("users", null, 100));
        Assert.Equal(ConflictReasons.Unique, lost.Reason);
        Assert.Equal(["u1"], KeyCodec.Decode(lost.Key));
        Assert.Equal(new object?[] { "u1", "ann@example.com", "Ann on A" }, lost.LoserValues);
    }

    [Fact]
    public void ChangeWithoutABase_OverAnotherSitesVersion_IsRecorded_AndAnOlderStaleCopyIsNot()
    {
        using var r = new TestReplica(Schema);
        var h = NowHlc();
        r.Store.ApplyBatch([Kv("k", "first", h, SiteA)], "peer", "1");

        // A sender of an earlier version sends no base: an overwrite of another site's version is kept, to be safe.
        r.Store.ApplyBatch([Kv("k", "second", h + 1, SiteB)], "peer", "2");
        Assert.Equal("first", Assert.Single(r.Store.ReadConflicts(null, null, 100)).LoserValues![1]);

        // With the base named, nothing is kept; and the base arriving late is stale, not a conflict.
        r.Store.ApplyBatch([Kv("k", "third", h + 2, SiteA) with { Base = new RowVersion(h + 1, SiteB, false) }], "peer", "3");
        var late = r.Store.ApplyBatch([Kv("k", "second", h + 1, SiteB)], "peer", "4");
        Assert.Equal((1, 0), (late.SkippedOlder, late.ConflictsLost));
        Assert.Single(r.Store.ReadConflicts(null, null, 100));
    }

    [Fact]
    public void WinnerWritingTheSameRow_LosesNothing_SoNothingIsKept()
    {
        using var r = new TestReplica(Schema);
        var h = NowHlc();
        r.Store.ApplyBatch([Kv("same", "v", h, SiteA), Kv("blob", new byte[] { 1, 2 }, h, SiteA)], "peer", "1");
        r.Store.ApplyBatch([Kv("same", "v", h + 1, SiteB), Kv("blob", new byte[] { 1, 2 }, h + 1, SiteB)], "peer", "2");
        Assert.Empty(r.Store.ReadConflicts(null, null, 100));

        r.Store.ApplyBatch([Kv("same", 1.0, h + 2, SiteA)], "peer", "3"); // text 'v' became real 1.0: the text lost
        Assert.Equal("v", Assert.Single(r.Store.ReadConflicts(null, null, 100)).LoserValues![1]);
    }

    [Fact]
    public void Retention_KeepsTheNewestEntries_AndQueriesFilterByTableAndTime()
    {
        using var r = new TestReplica(Schema);
        r.Store.ConflictRetention = new ConflictRetention(TimeSpan.FromDays(1), 3);
        var h = NowHlc();
        for (var i = 0; i < 5; i++)
        {
            r.Store.ApplyBatch([Kv("k" + i, "first", h + (i * 2), SiteA)], "peer", "a" + i);
            r.Store.ApplyBatch([Kv("k" + i, "second", h + (i * 2) + 1, SiteB)], "peer", "b" + i);
        }

        var kept = r.Store.ReadConflicts(null, null, 100);
        Assert.Equal(["k2", "k3", "k4"], kept.Select(c => (string)KeyCodec.Decode(c.Key)[0]!));
        Assert.Equal(3, r.Store.ConflictCount());
        Assert.Equal(2, r.Store.ReadConflicts("kv", null, 2).Count);
        Assert.Empty(r.Store.ReadConflicts("users", null, 100));
        Assert.Empty(r.Store.ReadConflicts(null, DateTimeOffset.UtcNow.AddMinutes(1), 100));

        r.Store.ConflictRetention = new ConflictRetention(TimeSpan.FromDays(1), 1);
        Assert.Equal(2, r.Store.PruneConflicts());
        Assert.Equal(["k4"], r.Store.ReadConflicts(null, null, 100).Select(c => (string)KeyCodec.Decode(c.Key)[0]!));
    }

    [Fact]
    public void DatabaseOfAnEarlierVersion_GainsTheBaseColumns_AtOpen()
    {
        using var r = new TestReplica(Schema);
        r.Exec("INSERT INTO kv VALUES ('k', 'v')");
        r.Store.Fold();
        r.Store.Dispose();
        r.Exec("ALTER TABLE __repl_versions DROP COLUMN base_hlc");
        r.Exec("ALTER TABLE __repl_versions DROP COLUMN base_site");
        r.Reopen();

        r.Exec("UPDATE kv SET v = 'w' WHERE k = 'k'");
        r.Store.Fold();
        Assert.Equal(2, r.App.Rows("SELECT name FROM pragma_table_info('__repl_versions') WHERE name IN ('base_hlc', 'base_site')").Count);
        Assert.Equal("w", Assert.Single(r.Store.ReadChanges(0, 10).Changes).Values![1]);
    }

    /// <summary>
    /// Makes <paramref name="replica"/>'s next write later than anything written so far: a remote version a second ahead
    /// (of a table the test does not compare) raises its clock, as receiving any newer version does.
    /// </summary>
    private static void AheadOfNow(TestReplica replica) =>
        replica.Store.ApplyBatch([new Change("clock", KeyCodec.Encode(["tick"]), new RowVersion(NowHlc(1000), SiteA, false), ["tick"], 0)], "clock", "1");

    /// <summary>Applies <paramref name="from"/>'s own changes at <paramref name="to"/>, as a full-mesh tailer does.</summary>
    private static void Pull(TestReplica from, TestReplica to, bool foldFirst = true)
    {
        if (foldFirst)
        {
            from.Store.Fold();
        }

        var result = to.Store.ApplyBatch(from.Store.ReadChanges(0, 1000, from.Store.Site).Changes, "peer", "x");
        Assert.True(result.CursorStored);
    }
}
