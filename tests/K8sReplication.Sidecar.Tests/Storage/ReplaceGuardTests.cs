using K8sReplication.Sidecar.Storage;
using K8sReplication.TestKit.Sqlite;

namespace K8sReplication.Sidecar.Tests.Storage;

/// <summary>
/// INSERT/UPDATE OR REPLACE remove rows that conflict on a unique index without firing delete triggers; the replace
/// guards make those removals captured deletes, so the other members drop the row too.
/// </summary>
public sealed class ReplaceGuardTests
{
    private const string Users = "CREATE TABLE users(id TEXT PRIMARY KEY, email TEXT UNIQUE, name);";

    [Fact]
    public void InsertOrReplace_ThroughAUniqueColumn_RemovesTheOldRowOnEveryMember()
    {
        using var a = new TestReplica(Users);
        using var b = new TestReplica(Users);
        a.Exec("INSERT INTO users VALUES ('u1', 'ann@example.com', 'Ann')");
        a.Exec("INSERT INTO users VALUES ('u2', 'bob@example.com', 'Bob')");
        Sync(a, b);
        Assert.Equal(2, b.Rows("users").Count);

        // The app re-registers ann@ under a new id: SQLite deletes u1 silently, then inserts u3.
        a.Exec("INSERT OR REPLACE INTO users VALUES ('u3', 'ann@example.com', 'Ann B.')");
        Assert.Equal(2, a.Store.Fold()); // u1's removal and u3's insert

        var changes = a.Store.ReadChanges(0, 100).Changes;
        Assert.True(Assert.Single(changes, c => Key(c) is "u1").Version.Deleted);
        Assert.False(Assert.Single(changes, c => Key(c) is "u3").Version.Deleted);

        Sync(a, b);
        Assert.Equal(a.Rows("users"), b.Rows("users"));
        Assert.Equal([new object?[] { "u2", "bob@example.com", "Bob" }, new object?[] { "u3", "ann@example.com", "Ann B." }], b.Rows("users"));
        Assert.Equal(a.Store.Merkle.Root, b.Store.Merkle.Root);
    }

    [Fact]
    public void UpdateOrReplace_OntoAnotherRowsUniqueValue_RemovesThatRow_AndPlainUpdatesLogNoChecks()
    {
        using var r = new TestReplica(Users);
        r.Exec("INSERT INTO users VALUES ('u1', 'ann@example.com', 'Ann')");
        r.Exec("INSERT INTO users VALUES ('u2', 'bob@example.com', 'Bob')");
        r.Store.Fold();

        // Updates that conflict with nothing (even ones naming the unique column) cost no extra log entry.
        r.Exec("UPDATE users SET email = 'bob@example.com', name = 'Bobby' WHERE id = 'u2'");
        r.Exec("UPDATE users SET name = 'Annie' WHERE id = 'u1'");
        Assert.Equal(2L, r.App.Scalar("SELECT count(*) FROM __repl_log WHERE tbl <> 0"));
        Assert.Equal(2, r.Store.Fold());

        r.Exec("UPDATE OR REPLACE users SET email = 'ann@example.com' WHERE id = 'u2'");
        Assert.Equal(2, r.Store.Fold());
        var changes = r.Store.ReadChanges(0, 100).Changes;
        Assert.True(Assert.Single(changes, c => Key(c) is "u1").Version.Deleted);
        Assert.Equal(new object?[] { "u2", "ann@example.com", "Bobby" }, Assert.Single(changes, c => Key(c) is "u2").Values);
        Assert.Equal((1L, 1L), r.Store.Counts());
    }

    [Fact]
    public void InsertOrIgnore_AndAFailedInsert_RemoveNothing_SoNoDeleteIsCaptured()
    {
        using var r = new TestReplica(Users);
        r.Exec("INSERT INTO users VALUES ('u1', 'ann@example.com', 'Ann')");
        r.Store.Fold();

        r.Exec("INSERT OR IGNORE INTO users VALUES ('u2', 'ann@example.com', 'Other')");
        Assert.ThrowsAny<Microsoft.Data.Sqlite.SqliteException>(() => r.Exec("INSERT INTO users VALUES ('u3', 'ann@example.com', 'Other')"));
        Assert.Equal(0, r.Store.Fold());
        Assert.Equal(0L, r.App.Scalar("SELECT count(*) FROM __repl_log WHERE tbl <> 0"));
        Assert.False(Assert.Single(r.Store.ReadChanges(0, 100).Changes).Version.Deleted);
    }

    [Fact]
    public void AReimportWithInsertOrIgnore_LeavesOnlyNoOpChecks_AndFoldingUntilNothingIsPendingReachesTheWritesBehindThem()
    {
        using var r = new TestReplica(Users);
        r.Exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10001) " +
            "INSERT INTO users SELECT 'u' || i, 'user' || i || '@example.com', NULL FROM n");
        Assert.Equal(10_001, FoldAll(r));

        // Every re-imported row conflicts on email under a new id: one check each, more than one fold chunk.
        r.Exec("INSERT OR IGNORE INTO users SELECT id || '-again', email, name FROM users");
        r.Exec("INSERT INTO users VALUES ('new', 'new@example.com', 'New')");
        Assert.Equal(0, r.Store.Fold()); // a whole chunk of checks whose rows are all still there
        Assert.True(r.Store.HasPendingCaptures());
        Assert.Equal(1, FoldAll(r));
        Assert.False(r.Store.HasPendingCaptures());
        Assert.Equal((10_002L, 0L), r.Store.Counts());
    }

    [Fact]
    public void CompositeUniqueIndex_UsesTheIndexCollation_AndGuardsFollowIndexChanges()
    {
        using var r = new TestReplica("CREATE TABLE seats(id TEXT PRIMARY KEY, room TEXT, seat INTEGER);");
        r.Exec("INSERT INTO seats VALUES ('s1', 'Hall', 1)");
        r.Store.Fold();
        Assert.Equal(0L, Guards(r));

        // A unique index created later (case-insensitive on room) is guarded from the next refresh on.
        r.Exec("CREATE UNIQUE INDEX seats_place ON seats(room COLLATE NOCASE, seat)");
        r.Store.Refresh();
        Assert.Equal(2L, Guards(r));
        var cookie = r.App.Scalar("PRAGMA schema_version");
        r.Store.Refresh();
        Assert.Equal(cookie, r.App.Scalar("PRAGMA schema_version")); // unchanged indexes: nothing rewritten

        r.Exec("INSERT OR REPLACE INTO seats VALUES ('s2', 'HALL', 1)");
        Assert.Equal(2, r.Store.Fold());
        Assert.True(Assert.Single(r.Store.ReadChanges(0, 100).Changes, c => Key(c) is "s1").Version.Deleted);

        r.Exec("DROP INDEX seats_place");
        r.Store.Refresh();
        Assert.Equal(0L, Guards(r));
    }

    [Fact]
    public void UniqueIndexOnAnExpression_IsReportedAsNotGuarded()
    {
        using var r = new TestReplica("CREATE TABLE tags(id TEXT PRIMARY KEY, label TEXT); CREATE UNIQUE INDEX tags_label ON tags(lower(label));");
        Assert.Contains(r.Store.Install.Warnings, w => w.Contains("'tags_label'", StringComparison.Ordinal) && w.Contains("expression", StringComparison.Ordinal));
        Assert.Equal(0L, Guards(r));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TwoMembersWritingTheSameUniqueValue_ConvergeOnTheRowWithTheGreaterVersion(bool newerFirst)
    {
        using var a = new TestReplica(Users);
        using var b = new TestReplica(Users);
        using var c = new TestReplica(Users);
        a.Exec("INSERT INTO users VALUES ('ua', 'same@example.com', 'from a')");
        a.Store.Fold();
        WaitForNextMillisecond(a.Store.ReadChanges(0, 10).Changes[0].Version.Hlc);
        b.Exec("INSERT INTO users VALUES ('ub', 'same@example.com', 'from b')"); // later: b's row has the greater version
        b.Store.Fold();

        // Each member settles the conflict itself from the original rows, whichever arrives first: a receives the
        // winning row, b the losing one, c both (in either order).
        var fromA = a.Store.ReadChanges(0, 10).Changes;
        var fromB = b.Store.ReadChanges(0, 10).Changes;
        a.Store.ApplyBatch(fromB, "peer-b", "1");
        var lost = b.Store.ApplyBatch(fromA, "peer-a", "1");
        Assert.Equal(1, lost.ConflictsLost);
        c.Store.ApplyBatch(newerFirst ? fromB : fromA, "peer-1", "1");
        c.Store.ApplyBatch(newerFirst ? fromA : fromB, "peer-2", "1");

        object?[] winner = ["ub", "same@example.com", "from b"];
        foreach (var r in new[] { a, b, c })
        {
            Assert.Equal([winner], r.Rows("users"));
            Assert.True(Assert.Single(r.Store.ReadChanges(0, 100).Changes, ch => Key(ch) is "ua").Version.Deleted);
        }

        // Identical versions everywhere without any further exchange, and nothing new in each other's feeds.
        Assert.Equal(a.Store.Merkle.Root, b.Store.Merkle.Root);
        Assert.Equal(a.Store.Merkle.Root, c.Store.Merkle.Root);
        Assert.Equal(0, a.Store.ApplyBatch(c.Store.ReadChanges(0, 100).Changes, "peer-c", "2").Applied);
        Assert.Equal(0, c.Store.ApplyBatch(b.Store.ReadChanges(0, 100).Changes, "peer-b", "2").Applied);
    }

    [Fact]
    public void AnUpdateThatLosesTheUniqueValue_DeletesTheRowTheReceiverAlreadyHad()
    {
        using var a = new TestReplica(Users);
        using var b = new TestReplica(Users);
        a.Exec("INSERT INTO users VALUES ('ua', 'old@example.com', 'Ann')");
        Sync(a, b);
        a.Exec("UPDATE users SET email = 'same@example.com' WHERE id = 'ua'");
        a.Store.Fold();
        WaitForNextMillisecond(a.Store.ReadChanges(0, 10).Changes[0].Version.Hlc);
        b.Exec("INSERT INTO users VALUES ('ub', 'same@example.com', 'Bob')");
        b.Store.Fold();

        var fromA = a.Store.ReadChanges(0, 10).Changes;
        var fromB = b.Store.ReadChanges(0, 10).Changes;
        Assert.Equal(1, b.Store.ApplyBatch(fromA, "peer-a", "2").ConflictsLost); // ua's update loses email to ub
        a.Store.ApplyBatch(fromB, "peer-b", "1");

        Assert.Equal([new object?[] { "ub", "same@example.com", "Bob" }], a.Rows("users"));
        Assert.Equal(a.Rows("users"), b.Rows("users"));
        Assert.Equal(a.Store.Merkle.Root, b.Store.Merkle.Root);
        Assert.Equal((1L, 1L), b.Store.Counts());
    }

    [Fact]
    public void UniqueConflictOnAnExpressionIndex_IsStillRefused_WithTheConstraintNamed()
    {
        const string Tags = "CREATE TABLE tags(id TEXT PRIMARY KEY, label TEXT); CREATE UNIQUE INDEX tags_label ON tags(lower(label));";
        using var a = new TestReplica(Tags);
        using var b = new TestReplica(Tags);
        a.Exec("INSERT INTO tags VALUES ('t1', 'Red')");
        b.Exec("INSERT INTO tags VALUES ('t2', 'RED')");
        a.Store.Fold();
        var ex = Assert.Throws<ChangeRejectedException>(() => b.Store.ApplyBatch(a.Store.ReadChanges(0, 10).Changes, "peer", "1"));
        Assert.Contains("UNIQUE", ex.Message, StringComparison.Ordinal);
        Assert.Equal([new object?[] { "t2", "RED" }], b.Rows("tags"));
    }

    private static void WaitForNextMillisecond(long hlc)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while ((DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() << 16) <= hlc && DateTime.UtcNow < deadline)
        {
            Thread.Yield();
        }
    }

    private static long Guards(TestReplica r) =>
        (long)r.App.Scalar("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name LIKE '\\_\\_repl\\_rg%' ESCAPE '\\'")!;

    /// <summary>Folds as the sidecar's fold loop does: until nothing is pending.</summary>
    private static int FoldAll(TestReplica r)
    {
        var folded = 0;
        int n;
        while ((n = r.Store.Fold()) > 0 || r.Store.HasPendingCaptures())
        {
            folded += n;
        }

        return folded;
    }

    private static object? Key(Change change) => KeyCodec.Decode(change.Key)[0];

    /// <summary>Folds <paramref name="from"/> and applies its whole feed to <paramref name="to"/>.</summary>
    private static void Sync(TestReplica from, TestReplica to)
    {
        from.Store.Fold();
        to.Store.ApplyBatch(from.Store.ReadChanges(0, 1000).Changes, "peer", "x");
    }
}
