using K8sReplication.Sidecar.Backup;
using K8sReplication.Sidecar.Storage;
using K8sReplication.Sidecar.Tests.Storage;
using K8sReplication.TestKit.Sqlite;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Tests.Backup;

/// <summary>
/// Archiving and point-in-time restore over a real replica database and a real filesystem archive: the restored file
/// holds exactly the archived state at the point asked for, deletes included; damage or gaps fail the restore and
/// leave nothing at the target.
/// </summary>
public sealed class ArchiveRestoreTests : ArchiveTestBase
{
    private const string Schema = """
        CREATE TABLE kv(k TEXT PRIMARY KEY, v);
        CREATE TABLE items(id INTEGER PRIMARY KEY, v, w REAL);
        CREATE UNIQUE INDEX items_v ON items(v);
        """;

    [Fact]
    public async Task RestoreLatest_HoldsExactlyTheMembersTables()
    {
        using var member = new TestReplica(Schema);
        member.Exec(string.Join(";", Enumerable.Range(0, 300).Select(i => $"INSERT INTO kv VALUES ('k{i:D3}', x'{i:X4}')")));
        member.Exec("INSERT INTO items VALUES (1, 'one', 1.5), (2, 'two', NULL), (3, NULL, 3.25)");
        member.Exec("UPDATE kv SET v = 'changed' WHERE k < 'k010'; DELETE FROM kv WHERE k >= 'k290'");
        using var remote = RemoteStores.Open(ArchiveUrl, null, null);
        var archiver = Archiver(member.Store, remote);

        Assert.Equal(1, await archiver.ArchiveAsync(CancellationToken.None));
        Assert.Equal(0, archiver.Pending());

        var report = await Restore(remote, "latest.db");
        Assert.Equal("restored", report.Event);
        Assert.Equal(290 + 3, report.Rows);
        Assert.Equal(1, report.Segments);
        AssertSameTables(member.App, Path.Combine(OutputFolder, "latest.db"));
    }

    [Fact]
    public async Task RestoreAtAPointBetweenTwoWaves_HoldsExactlyTheFirstWave()
    {
        using var member = new TestReplica(Schema);
        using var remote = RemoteStores.Open(ArchiveUrl, null, null);
        var archiver = Archiver(member.Store, remote);
        member.Exec(string.Join(";", Enumerable.Range(0, 100).Select(i => $"INSERT INTO kv VALUES ('k{i:D3}', 'wave1')")));
        member.Exec("DELETE FROM kv WHERE k < 'k010'");
        await archiver.ArchiveAsync(CancellationToken.None);
        var firstWave = Dump(member.App);
        var between = await PointAfterNowAsync();

        member.Exec("UPDATE kv SET v = 'wave2' WHERE k < 'k050'; DELETE FROM kv WHERE k >= 'k090'");
        member.Exec("INSERT INTO kv VALUES ('new', 'wave2')");
        await archiver.ArchiveAsync(CancellationToken.None);

        var report = await Restore(remote, "between.db", between);
        Assert.Equal(90, report.Rows);
        Assert.Equal(firstWave, Dump(Path.Combine(OutputFolder, "between.db")));
        await Restore(remote, "latest.db");
        AssertSameTables(member.App, Path.Combine(OutputFolder, "latest.db"));
    }

    [Fact]
    public async Task RestoreFromASnapshotAndLaterSegments_EqualsTheMember()
    {
        using var member = new TestReplica(Schema);
        using var remote = RemoteStores.Open(ArchiveUrl, null, null);
        var archiver = Archiver(member.Store, remote, snapshotInterval: TimeSpan.FromHours(1));
        member.Exec(string.Join(";", Enumerable.Range(0, 50).Select(i => $"INSERT INTO kv VALUES ('k{i:D3}', 'before')")));
        await archiver.ArchiveAsync(CancellationToken.None);
        Assert.True(await archiver.SnapshotIfDueAsync(CancellationToken.None), "the archive has no snapshot: one is due");
        Assert.False(await archiver.SnapshotIfDueAsync(CancellationToken.None), "the next is due an hour later");
        member.Exec("UPDATE kv SET v = 'after' WHERE k < 'k020'; DELETE FROM kv WHERE k >= 'k040'");
        await archiver.ArchiveAsync(CancellationToken.None);

        var report = await Restore(remote, "restored.db");
        Assert.NotNull(report.Snapshot);
        Assert.Equal(1, report.Segments); // the first segment is in the snapshot
        AssertSameTables(member.App, Path.Combine(OutputFolder, "restored.db"));
    }

    [Fact]
    public async Task LargeRoundsAndSnapshots_AreSplitIntoParts_AndRestoreWhole()
    {
        using var member = new TestReplica(Schema);
        using var remote = RemoteStores.Open(ArchiveUrl, null, null);
        var archiver = Archiver(member.Store, remote, parts: 10);
        member.Exec(string.Join(";", Enumerable.Range(0, 35).Select(i => $"INSERT INTO kv VALUES ('k{i:D2}', {i})")));

        // Pages count log entries too, so a part may end before 10 changes: at least 35 / 10 of each.
        Assert.InRange(await archiver.ArchiveAsync(CancellationToken.None), 3, 35);
        Assert.True(await archiver.SnapshotIfDueAsync(CancellationToken.None));
        Assert.InRange(Directory.GetFiles(Path.Combine(ArchiveFolder, "snapshots", "parts")).Length, 3, 35);

        var report = await Restore(remote, "parts.db");
        Assert.Equal(35, report.Rows);
        AssertSameTables(member.App, Path.Combine(OutputFolder, "parts.db"));
    }

    [Fact]
    public async Task RowsArchivedBeforeAColumnWasAdded_AreRestoredWithItsDefault()
    {
        using var member = new TestReplica(Schema);
        using var remote = RemoteStores.Open(ArchiveUrl, null, null);
        var archiver = Archiver(member.Store, remote);
        member.Exec("INSERT INTO kv VALUES ('old', 1)");
        await archiver.ArchiveAsync(CancellationToken.None);

        member.Exec("ALTER TABLE kv ADD COLUMN extra TEXT DEFAULT 'none'");
        member.Store.Refresh();
        member.Exec("INSERT INTO kv VALUES ('new', 2, 'given')");
        await archiver.ArchiveAsync(CancellationToken.None);

        await Restore(remote, "altered.db");
        using var restored = new SqliteConnection($"Data Source={Path.Combine(OutputFolder, "altered.db")};Pooling=False");
        restored.Open();
        Assert.Equal(["new|2|given", "old|1|none"], restored.Rows("SELECT k, v, extra FROM kv ORDER BY k").Select(r => string.Join("|", r)));
    }

    [Fact]
    public async Task ACorruptedObject_FailsTheRestoreNamingIt_AndLeavesNoFile()
    {
        using var member = new TestReplica(Schema);
        using var remote = RemoteStores.Open(ArchiveUrl, null, null);
        member.Exec("INSERT INTO kv VALUES ('a', 1), ('b', 2)");
        await Archiver(member.Store, remote).ArchiveAsync(CancellationToken.None);
        var segment = Directory.GetFiles(ArchiveFolder, "*.seg", SearchOption.AllDirectories).Single();
        var bytes = await File.ReadAllBytesAsync(segment);
        bytes[bytes.Length / 2] ^= 0x40;
        await File.WriteAllBytesAsync(segment, bytes);

        var target = Path.Combine(OutputFolder, "corrupt.db");
        var error = await Assert.ThrowsAsync<ArchiveCorruptException>(() => new Restorer(remote).RestoreAsync(target, null, false, false, CancellationToken.None));
        Assert.Contains(Path.GetFileName(segment), error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Directory.GetFileSystemEntries(OutputFolder), f => f.Contains("corrupt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AGapInAMembersSegments_FailsTheRestore_AndLeavesNoFile()
    {
        using var member = new TestReplica(Schema);
        using var remote = RemoteStores.Open(ArchiveUrl, null, null);
        var archiver = Archiver(member.Store, remote);
        foreach (var wave in Enumerable.Range(0, 3))
        {
            member.Exec($"INSERT INTO kv VALUES ('w{wave}', {wave})");
            await archiver.ArchiveAsync(CancellationToken.None);
        }

        var middle = Directory.GetFiles(ArchiveFolder, "*.seg", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ElementAt(1);
        File.Delete(middle);

        var target = Path.Combine(OutputFolder, "gap.db");
        var error = await Assert.ThrowsAsync<RestoreFailedException>(() => new Restorer(remote).RestoreAsync(target, null, false, false, CancellationToken.None));
        Assert.Contains("gap", error.Message, StringComparison.Ordinal);
        Assert.Contains(member.Store.Site.ToString(), error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(target));
    }

    [Fact]
    public async Task ArchivingResumesAfterARestart_WithoutGapsOrRepeats()
    {
        using var member = new TestReplica(Schema);
        using var remote = RemoteStores.Open(ArchiveUrl, null, null);
        member.Exec("INSERT INTO kv VALUES ('a', 1)");
        await Archiver(member.Store, remote).ArchiveAsync(CancellationToken.None);
        member.Exec("INSERT INTO kv VALUES ('b', 2)");

        // A new archiver (a restarted sidecar) continues where the archive ends.
        member.Reopen();
        var restarted = Archiver(member.Store, remote);
        Assert.Equal(1, restarted.Pending());
        Assert.Equal(1, await restarted.ArchiveAsync(CancellationToken.None));
        Assert.Equal(0, await restarted.ArchiveAsync(CancellationToken.None));

        var report = await Restore(remote, "resumed.db");
        Assert.Equal(2, report.Segments);
        AssertSameTables(member.App, Path.Combine(OutputFolder, "resumed.db"));
    }

    [Fact]
    public async Task Retention_DeletesWhatNoPointInTheWindowNeeds_AndEveryPointInItStillRestores()
    {
        using var member = new TestReplica(Schema);
        using var remote = RemoteStores.Open(ArchiveUrl, null, null);
        var retention = TimeSpan.FromSeconds(2);
        var archiver = Archiver(member.Store, remote, snapshotInterval: TimeSpan.FromMilliseconds(400), retention: retention);
        var points = new List<(DateTimeOffset At, string State)>();
        var deleted = 0;
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(6);
        for (var round = 0; DateTimeOffset.UtcNow < deadline; round++)
        {
            member.Exec($"INSERT INTO kv VALUES ('r{round:D4}', {round}); UPDATE kv SET v = v + 1000 WHERE k = 'r{round / 2:D4}'");
            if (round % 3 == 2)
            {
                member.Exec($"DELETE FROM kv WHERE k = 'r{round - 1:D4}'");
            }

            await archiver.ArchiveAsync(CancellationToken.None);
            if (await archiver.SnapshotIfDueAsync(CancellationToken.None))
            {
                deleted += await archiver.ApplyRetentionAsync(CancellationToken.None);
            }

            points.Add((await PointAfterNowAsync(), Dump(member.App)));
        }

        Assert.True(deleted > 0, "retention deleted old snapshots and segments");
        var windowStart = DateTimeOffset.UtcNow - retention;
        var inWindow = points.Where(p => p.At > windowStart + TimeSpan.FromMilliseconds(100)).ToList();
        Assert.NotEmpty(inWindow);
        foreach (var (at, state) in inWindow.Where((_, i) => i % 3 == 0))
        {
            var name = $"at-{at.ToUnixTimeMilliseconds()}.db";
            await Restore(remote, name, at);
            Assert.Equal(state, Dump(Path.Combine(OutputFolder, name)));
        }

        await Restore(remote, "latest.db");
        AssertSameTables(member.App, Path.Combine(OutputFolder, "latest.db"));
    }

    [Fact]
    public async Task RestoreCommand_RefusesANonEmptyTarget_SkipsWhenAsked_AndPrintsOneJsonLine()
    {
        using var member = new TestReplica(Schema);
        using var remote = RemoteStores.Open(ArchiveUrl, null, null);
        var target = Path.Combine(OutputFolder, "app.db");
        var empty = "file://" + Path.GetFullPath(Path.Combine(ArchiveFolder, "..", "empty"));

        var (code, stdout, stderr) = await RunCommand("--from", empty, "--to", target);
        Assert.Equal(1, code);
        Assert.Contains("no backup", stderr, StringComparison.Ordinal);
        (code, stdout, _) = await RunCommand("--from", empty, "--to", target, "--if-backup-exists");
        Assert.Equal(0, code);
        Assert.Contains("\"event\":\"skipped\"", stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(target));

        member.Exec("INSERT INTO kv VALUES ('a', 1)");
        await Archiver(member.Store, remote).ArchiveAsync(CancellationToken.None);
        (code, stdout, _) = await RunCommand("--from", ArchiveUrl, "--to", target);
        Assert.Equal(0, code);
        Assert.StartsWith("{\"event\":\"restored\",\"path\":", stdout, StringComparison.Ordinal);
        Assert.Contains("\"rows\":1,", stdout, StringComparison.Ordinal);
        Assert.Contains("\"segments\":1", stdout, StringComparison.Ordinal);
        Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var before = await File.ReadAllBytesAsync(target);
        (code, _, stderr) = await RunCommand("--from", ArchiveUrl, "--to", target);
        Assert.Equal(2, code);
        Assert.Contains("not empty", stderr, StringComparison.Ordinal);
        (code, stdout, _) = await RunCommand("--from", ArchiveUrl, "--to", target, "--if-missing");
        Assert.Equal(0, code);
        Assert.Contains("skipped", stdout, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(target));
    }

    [Theory]
    [InlineData("--to|/tmp/x.db", "--from: required")]
    [InlineData("--from|s3://|--to|/tmp/x.db", "--from:")]
    [InlineData("--from|file://relative/path|--to|/tmp/x.db", "--from:")]
    [InlineData("--from|file:///tmp/a|--to|/tmp/x.db|--at|yesterday", "--at:")]
    [InlineData("--from|file:///tmp/a|--to|/tmp/x.db|--at|2026-01-01T00:00:00", "--at:")]
    [InlineData("--from|s3://bucket|--endpoint|ftp://x|--to|/tmp/x.db", "--endpoint:")]
    [InlineData("--from|file:///tmp/a|--bogus", "--bogus")]
    public async Task RestoreCommand_BadArguments_AreUsageErrorsNamingTheFlag(string args, string expected)
    {
        var (code, stdout, stderr) = await RunCommand(args.Split('|'));

        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    /// <summary>A restored database is a normal member database: a new site id, and its rows keep their versions.</summary>
    [Fact]
    public async Task TheRestoredDatabase_OpensAsAMemberWithANewSite_AndKeepsTheVersions()
    {
        using var member = new TestReplica(Schema);
        using var remote = RemoteStores.Open(ArchiveUrl, null, null);
        member.Exec("INSERT INTO kv VALUES ('a', 1), ('b', 2)");
        await Archiver(member.Store, remote).ArchiveAsync(CancellationToken.None);
        var target = Path.Combine(OutputFolder, "member.db");
        await Restore(remote, "member.db");

        member.Store.TryFoldAll();
        using var restored = ReplicaStore.Open(new ReplicaStoreOptions { DatabasePath = target, MerkleDepth = member.Store.Merkle.Depth });
        Assert.NotEqual(member.Store.Site, restored.Site);
        Assert.Equal(member.Store.Merkle.Root, restored.Merkle.Root); // the same rows with the same versions
        Assert.Equal(0, restored.ConflictCount());
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunCommand(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await RestoreCommand.RunAsync(args, stdout, stderr, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A time after everything written so far; later writes get a later clock (waits for the next millisecond).</summary>
    private static async Task<DateTimeOffset> PointAfterNowAsync()
    {
        var point = DateTimeOffset.UtcNow;
        await TestKit.Eventually.TrueAsync(() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() > point.ToUnixTimeMilliseconds() + 1,
            TimeSpan.FromSeconds(5), "the clock moves on");
        return point;
    }

    private static void AssertSameTables(SqliteConnection expected, string restoredPath) =>
        Assert.Equal(Dump(expected), Dump(restoredPath));

    private static string Dump(string path)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return Dump(connection);
    }

    private static string Dump(SqliteConnection connection) =>
        string.Join("\n", connection.Rows("SELECT 'kv', k, quote(v) FROM kv ORDER BY k").Concat(connection.Rows("SELECT 'items', id, quote(v), quote(w) FROM items ORDER BY id"))
            .Select(r => string.Join("|", r)));
}
