using K8sReplication.Sidecar.Storage;
using K8sReplication.TestKit.Sqlite;

namespace K8sReplication.Sidecar.Tests.Storage;

public sealed class CaptureTests
{
    [Fact]
    public void Insert_Update_Delete_AreCapturedAndFolded_InOrder()
    {
        using var r = new TestReplica();
        r.Exec("INSERT INTO kv VALUES ('a', 1)");
        r.Exec("INSERT INTO kv VALUES ('b', 2)");
        r.Exec("UPDATE kv SET v = 3 WHERE k = 'a'");
        r.Exec("DELETE FROM kv WHERE k = 'b'");

        Assert.Equal(4, r.Store.Fold());
        Assert.Equal(4, r.Store.CapturedTotal);
        Assert.Equal(0L, r.App.Scalar("SELECT count(*) FROM __repl_log WHERE tbl <> 0"));

        var batch = r.Store.ReadChanges(0, 100);
        Assert.Equal(2, batch.Changes.Count); // the feed coalesces: one entry per row, latest state
        var a = Assert.Single(batch.Changes, c => KeyCodec.Decode(c.Key)[0] is "a");
        Assert.Equal(new object?[] { "a", 3L }, a.Values);
        Assert.False(a.Version.Deleted);
        Assert.Equal(r.Store.Site, a.Version.Site);
        var b = Assert.Single(batch.Changes, c => KeyCodec.Decode(c.Key)[0] is "b");
        Assert.True(b.Version.Deleted);
        Assert.Null(b.Values);
        Assert.True(a.Seq < b.Seq);
        Assert.Equal(batch.MaxSeq, batch.LastSeq);
        Assert.Equal((1L, 1L), r.Store.Counts());
    }

    [Fact]
    public void RowsWrittenBeforeInstall_AreAdoptedOnce_AsLocalVersions()
    {
        using var r = new TestReplica("CREATE TABLE kv(k TEXT PRIMARY KEY, v); INSERT INTO kv VALUES ('pre1', 1), ('pre2', NULL);");

        Assert.Equal(2, r.Store.Fold());

        var batch = r.Store.ReadChanges(0, 100);
        Assert.Equal(["pre1", "pre2"], batch.Changes.Select(c => (string)KeyCodec.Decode(c.Key)[0]!).Order(StringComparer.Ordinal));
        Assert.All(batch.Changes, c => Assert.Equal(r.Store.Site, c.Version.Site));
        Assert.Equal((2L, 0L), r.Store.Counts());
        r.Reopen();
        Assert.Equal(0, r.Store.Fold());
        Assert.Equal(batch.MaxSeq, r.Store.ReadChanges(0, 100).MaxSeq);
    }

    [Fact]
    public void LocalHlcs_IncreaseStrictly_AndExceedTheClockFloor()
    {
        using var r = new TestReplica();
        for (var i = 0; i < 20; i++)
        {
            r.Exec("INSERT INTO kv VALUES (@k, 1)", ("@k", "k" + i));
        }

        var hlcs = r.App.Rows("SELECT hlc FROM __repl_log WHERE tbl <> 0 ORDER BY seq").Select(x => (long)x[0]!).ToList();
        Assert.Equal(20, hlcs.Count);
        Assert.True(hlcs.Zip(hlcs.Skip(1)).All(p => p.Second > p.First), "log HLCs must strictly increase");
        var nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.InRange(hlcs[0] >> 16, nowMs - 60_000, nowMs + 1000);

        r.Store.Fold();
        r.Exec("INSERT INTO kv VALUES ('after', 1)"); // folded: the trigger must stay above the clock floor
        var next = (long)r.App.Scalar("SELECT hlc FROM __repl_log WHERE tbl <> 0")!;
        Assert.True(next > hlcs[^1]);
    }

    [Fact]
    public void PrimaryKeyChange_IsDeleteOfOldKeyPlusInsertOfNewKey()
    {
        using var r = new TestReplica();
        r.Exec("INSERT INTO kv VALUES ('old', 1)");
        r.Exec("UPDATE kv SET k = 'new' WHERE k = 'old'");
        r.Store.Fold();
        var changes = r.Store.ReadChanges(0, 10).Changes;
        Assert.True(Assert.Single(changes, c => KeyCodec.Decode(c.Key)[0] is "old").Version.Deleted);
        Assert.Equal(new object?[] { "new", 1L }, Assert.Single(changes, c => KeyCodec.Decode(c.Key)[0] is "new").Values);
    }

    [Fact]
    public void KeyStorageClassChange_CountsAsKeyChange()
    {
        using var r = new TestReplica();
        r.Exec("INSERT INTO anykey VALUES (1, 'x')");
        r.Exec("UPDATE anykey SET k = '1' WHERE k = 1"); // integer 1 -> text '1': a different key
        r.Store.Fold();
        var changes = r.Store.ReadChanges(0, 10).Changes;
        Assert.True(Assert.Single(changes, c => KeyCodec.Decode(c.Key)[0] is 1L).Version.Deleted);
        Assert.False(Assert.Single(changes, c => KeyCodec.Decode(c.Key)[0] is "1").Version.Deleted);
    }

    [Fact]
    public void TypedAndCompositeKeys_AreExact()
    {
        using var r = new TestReplica();
        r.Exec("INSERT INTO anykey VALUES (1, 'int'), (1.5, 'real'), ('1', 'text'), (x'01', 'blob')");
        r.Exec("INSERT INTO pairs VALUES (-7, x'00ff', NULL, 2.25)");
        r.Store.Fold();
        var keys = r.Store.ReadChanges(0, 10).Changes.Select(c => KeyCodec.Decode(c.Key)).ToList();
        Assert.Contains(keys, k => k is [1L]);
        Assert.Contains(keys, k => k is [1.5]);
        Assert.Contains(keys, k => k is ["1"]);
        Assert.Contains(keys, k => k.Count == 1 && k[0] is byte[] { Length: 1 } b && b[0] == 1);
        Assert.Contains(keys, k => k.Count == 2 && k[0] is -7L && k[1] is byte[] { Length: 2 } b && b[1] == 0xff);
    }

    [Fact]
    public void AppliedChanges_AreNotRecapturedAsLocal()
    {
        using var source = new TestReplica();
        using var target = new TestReplica();
        source.Exec("INSERT INTO kv VALUES ('a', 1)");
        source.Store.Fold();
        target.Store.ApplyBatch(source.Store.ReadChanges(0, 10).Changes, "src", "1");

        Assert.Equal(0L, target.App.Scalar("SELECT count(*) FROM __repl_log WHERE tbl <> 0"));
        Assert.Equal(0L, target.App.Scalar("SELECT applying FROM __repl_state"));
        var change = Assert.Single(target.Store.ReadChanges(0, 10).Changes);
        Assert.Equal(source.Store.Site, change.Version.Site);
        Assert.Empty(target.Store.ReadChanges(0, 10, origin: target.Store.Site).Changes);
    }

    [Fact]
    public void TableWithoutPrimaryKey_IsReportedAndSkipped_AndIntegerKeysWarn()
    {
        using var r = new TestReplica(TestReplica.DefaultSchema + "CREATE TABLE nopk(a, b);");
        Assert.Contains(r.Store.Install.Errors, e => e.Contains("'nopk'", StringComparison.Ordinal) && e.Contains("no primary key", StringComparison.Ordinal));
        Assert.DoesNotContain(r.Store.Install.Tables, t => t.Name == "nopk");
        Assert.Contains(r.Store.Install.Warnings, w => w.Contains("'items'", StringComparison.Ordinal));
        r.Exec("INSERT INTO nopk VALUES (1, 2)");
        Assert.Equal(0L, r.App.Scalar("SELECT count(*) FROM __repl_log WHERE tbl <> 0"));
    }

    [Fact]
    public void NewTable_GetsTriggersOnRefresh_WithoutRestart_AndInstallIsIdempotent()
    {
        using var r = new TestReplica();
        var site = r.Store.Site;
        r.Exec("CREATE TABLE later(id TEXT PRIMARY KEY, v)");
        var report = r.Store.Refresh();
        Assert.Contains(report.Tables, t => t.Name == "later");
        r.Store.Refresh();
        r.Reopen();
        Assert.Equal(site, r.Store.Site); // the site id is created once
        r.Exec("INSERT INTO later VALUES ('x', 1)");
        Assert.Equal(1, r.Store.Fold());
        Assert.Equal(3L, r.App.Scalar("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'later'"));
    }

    [Fact]
    public void WritesWhileSidecarIsDown_AreCaptured_AndFoldedAfterRestart()
    {
        using var r = new TestReplica();
        r.Store.Dispose();
        r.Exec("INSERT INTO kv VALUES ('offline', 1)");
        r.Reopen(); // Open folds what the triggers logged meanwhile
        r.Store.Fold();
        Assert.Equal(1, r.Store.CapturedTotal);
        Assert.Equal("offline", KeyCodec.Decode(Assert.Single(r.Store.ReadChanges(0, 10).Changes).Key)[0]);
    }

    [Fact]
    public void SchemaHash_ChangesWithTheSchema()
    {
        using var r = new TestReplica();
        var before = r.Store.SchemaHashes["kv"];
        r.Exec("ALTER TABLE kv ADD COLUMN extra TEXT");
        r.Store.Refresh();
        Assert.NotEqual(before, r.Store.SchemaHashes["kv"]);
        Assert.Equal(3, r.Store.Install.Tables.Single(t => t.Name == "kv").Columns.Count);
    }

    [Fact]
    public void WriteThroughDebianSqlite3Cli_IsCaptured()
    {
        var cli = Environment.GetEnvironmentVariable("K8SREPL_SQLITE3") is { Length: > 0 } configured
            ? configured
            : FindOnPath("sqlite3");
        Assert.True(cli is not null && File.Exists(cli),
            "the sqlite3 command-line tool is required (set K8SREPL_SQLITE3 or put sqlite3 on PATH; Debian: apt-get install sqlite3)");

        using var r = new TestReplica(TestReplica.DefaultSchema + "CREATE TABLE users(id TEXT PRIMARY KEY, email TEXT UNIQUE);");
        var psi = new System.Diagnostics.ProcessStartInfo(cli!, [r.Database.FilePath])
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = System.Diagnostics.Process.Start(psi)!;
        process.StandardInput.WriteLine(".timeout 10000");
        process.StandardInput.WriteLine("INSERT INTO kv VALUES ('cli', x'00ff');");
        process.StandardInput.WriteLine("INSERT INTO pairs VALUES (1, x'01', 'p', 0.5);");
        process.StandardInput.WriteLine("UPDATE kv SET k = 'cli2' WHERE k = 'cli';");
        process.StandardInput.WriteLine("INSERT INTO users VALUES ('u1', 'a@x');");
        process.StandardInput.WriteLine("INSERT OR REPLACE INTO users VALUES ('u2', 'a@x');"); // the replace guard runs there too
        process.StandardInput.WriteLine("SELECT sqlite_version();");
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEnd();
        var stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), "sqlite3 did not exit");
        Assert.True(process.ExitCode == 0 && stderr.Length == 0, $"sqlite3 {stdout.Trim()} failed: {stderr}");

        Assert.Equal(7, r.Store.Fold());
        var changes = r.Store.ReadChanges(0, 10).Changes;
        Assert.True(Assert.Single(changes, c => KeyCodec.Decode(c.Key)[0] is "u1").Version.Deleted);
        Assert.False(Assert.Single(changes, c => KeyCodec.Decode(c.Key)[0] is "u2").Version.Deleted);
        Assert.Equal(new object?[] { "cli2", new byte[] { 0, 0xff } }, Assert.Single(changes, c => KeyCodec.Decode(c.Key)[0] is "cli2").Values);
        Assert.True(Assert.Single(changes, c => KeyCodec.Decode(c.Key)[0] is "cli").Version.Deleted);
        Assert.Contains(changes, c => c.Table == "pairs");
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
}
