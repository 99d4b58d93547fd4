using K8sReplication.Contracts.Health;
using K8sReplication.TestKit.Tools;
using K8sReplication.TestKit;
using K8sReplication.TestKit.Processes;
using K8sReplication.TestKit.Sqlite;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Tests.Integration;

/// <summary>
/// Continuous backup between real sidecars and a real S3-compatible server (s3rver) or a directory: what the members
/// wrote is restored by the sidecar binary's <c>restore</c> command; an archive that is down does not hold replication
/// back, and its backlog is uploaded once it is back; a sidecar killed while archiving leaves no damaged or missing
/// object.
/// </summary>
public sealed class BackupTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task TwoMembersWriting_ArchiveToS3_AndTheRestoreEqualsTheirTables()
    {
        await using var s3 = new S3rverServer();
        await s3.StartAsync();
        await using var mesh = await TestMesh.StartAsync(2, env: S3Environment(s3, "s3://backup/team/orders"));
        await mesh.ConnectFullMeshAsync();
        mesh[0].Exec(string.Join(";", Enumerable.Range(0, 200).Select(i => $"INSERT INTO items VALUES ('a{i:D3}', 'from n0', {i})")));
        mesh[1].Exec(string.Join(";", Enumerable.Range(0, 200).Select(i => $"INSERT INTO items VALUES ('b{i:D3}', x'0102', {i})")));
        mesh[0].Exec("DELETE FROM items WHERE n < 20; UPDATE items SET v = 'edited' WHERE id = 'b150'");
        await mesh.WaitConvergedAsync(Timeout, "the members converge");
        foreach (var node in mesh.Nodes)
        {
            var backup = await ArchivedAsync(node);
            Assert.Equal("s3://backup/team/orders", backup.Url);
            Assert.Null(backup.LastError);
        }

        using var target = new TempDatabase("unused.db");
        var path = Path.Combine(target.Folder, "restored.db");
        var exit = await SidecarProcess.RunToExitAsync(["restore", "--from", "s3://backup/team/orders", "--endpoint", s3.Endpoint, "--to", path], S3Environment(s3, null));

        Assert.True(exit.ExitCode == 0, exit.Stderr);
        Assert.Contains("\"event\":\"restored\"", exit.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"rows\":380", exit.Stdout, StringComparison.Ordinal);
        Assert.Equal(Dump(mesh[0].Database.FilePath), Dump(path));
    }

    [Fact]
    public async Task ArchiveDownForAWhile_ReplicationGoesOn_AndTheBacklogIsUploadedAfter()
    {
        await using var s3 = new S3rverServer();
        await s3.StartAsync();
        await using var mesh = await TestMesh.StartAsync(2, env: S3Environment(s3, "s3://backup/down"));
        await mesh.ConnectFullMeshAsync();
        mesh[0].Exec("INSERT INTO items VALUES ('before', 1, 1)");
        await ArchivedAsync(mesh[0]);

        await s3.StopAsync();
        mesh[0].Exec(string.Join(";", Enumerable.Range(0, 100).Select(i => $"INSERT INTO items VALUES ('down{i:D3}', 'x', {i})")));
        await mesh.WaitConvergedAsync(Timeout, "replication goes on while the archive is down");
        var failing = await Eventually.ValueAsync(async () => (await mesh[0].StatusAsync()).Backup!, b => b.LastError is not null && b.PendingChanges == 100,
            Timeout, "n0 reports the failing archive and the changes waiting");
        Assert.Contains("segment", failing.LastError, StringComparison.Ordinal);
        Assert.True((await mesh[0].StatusAsync()).Healthy, "a failing archive does not make the member unhealthy");
        var metrics = await (await mesh[0].GetAdminAsync("/metrics")).Content.ReadAsStringAsync();
        Assert.Contains("replication_backup_uploads_total{kind=\"segment\",outcome=\"error\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("replication_backup_pending_changes 100", metrics, StringComparison.Ordinal);

        await s3.StartAsync();
        var recovered = await ArchivedAsync(mesh[0]);
        Assert.Null(recovered.LastError);

        using var target = new TempDatabase("unused.db");
        var path = Path.Combine(target.Folder, "restored.db");
        var exit = await SidecarProcess.RunToExitAsync(["restore", "--from", "s3://backup/down", "--endpoint", s3.Endpoint, "--to", path], S3Environment(s3, null));
        Assert.True(exit.ExitCode == 0, exit.Stderr);
        Assert.Equal(Dump(mesh[0].Database.FilePath), Dump(path));
    }

    [Fact]
    public async Task DeletesWaitForTheArchive_EvenPastTheTombstoneTtl()
    {
        await using var s3 = new S3rverServer();
        await s3.StartAsync();
        var env = new Dictionary<string, string>(S3Environment(s3, "s3://backup/deletes")) { ["K8SREPL_TOMBSTONE_TTL"] = "1s" };
        await using var mesh = await TestMesh.StartAsync(1, env: env);
        var node = mesh[0];
        node.Exec(string.Join(";", Enumerable.Range(0, 50).Select(i => $"INSERT INTO items VALUES ('r{i:D2}', 'v', {i})")));
        await ArchivedAsync(node);

        await s3.StopAsync();
        node.Exec("DELETE FROM items WHERE n < 30");
        var rounds = (await node.StatusAsync()).TombstoneCollection.Rounds;
        var held = await Eventually.ValueAsync(() => node.StatusAsync(), s => s.TombstoneCollection.Rounds >= rounds + 3 && s.Backup!.LastError is not null,
            Timeout, "collection rounds pass while the archive is down");
        Assert.Equal(30, held.Tombstones); // older than the 1s TTL, and kept: not archived yet

        await s3.StartAsync();
        await ArchivedAsync(node);
        await Eventually.ValueAsync(() => node.StatusAsync(), s => s.Tombstones == 0, Timeout, "archived deletes are collected");
        using var target = new TempDatabase("unused.db");
        var path = Path.Combine(target.Folder, "restored.db");
        var exit = await SidecarProcess.RunToExitAsync(["restore", "--from", "s3://backup/deletes", "--endpoint", s3.Endpoint, "--to", path], S3Environment(s3, null));
        Assert.True(exit.ExitCode == 0, exit.Stderr);
        Assert.Contains("\"rows\":20,", exit.Stdout, StringComparison.Ordinal);
        Assert.Equal(Dump(node.Database.FilePath), Dump(path));
    }

    [Fact]
    public async Task KilledWhileArchiving_LeavesNoDamagedOrMissingObject()
    {
        using var archive = new TempDatabase("unused.db");
        var url = "file://" + Path.Combine(archive.Folder, "archive");
        await using var mesh = await TestMesh.StartAsync(1, env: new Dictionary<string, string>
        {
            ["K8SREPL_BACKUP_URL"] = url,
            ["K8SREPL_BACKUP_INTERVAL"] = "100ms",
            ["K8SREPL_SNAPSHOT_INTERVAL"] = "1s",
        });
        var node = mesh[0];
        for (var round = 0; round < 3; round++)
        {
            // Writes keep coming while the archiver uploads segments and snapshots; the kill lands mid-way.
            for (var batch = 0; batch < 20; batch++)
            {
                node.Exec(string.Join(";", Enumerable.Range(0, 200).Select(i => $"INSERT OR REPLACE INTO items VALUES ('r{round}-{i:D3}', randomblob(200), {batch})")));
            }

            node.Process.Kill();
            await node.Process.RestartAsync();
        }

        await ArchivedAsync(node);
        using var target = new TempDatabase("unused.db");
        var path = Path.Combine(target.Folder, "restored.db");
        var exit = await SidecarProcess.RunToExitAsync(["restore", "--from", url, "--to", path]);
        Assert.True(exit.ExitCode == 0, exit.Stderr);
        Assert.Equal(Dump(node.Database.FilePath), Dump(path));
    }

    [Theory]
    [InlineData("ftp://bucket/x", "backup.url")]
    [InlineData("file://relative", "backup.url")]
    [InlineData("s3://", "backup.url")]
    public async Task ABadBackupUrl_StopsTheSidecarWithAnErrorNamingIt(string url, string key)
    {
        using var database = new TempDatabase();
        var exit = await SidecarProcess.RunToExitAsync(
            ["--database", database.FilePath, "--node-name", "n0", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--backup-url", url]);

        Assert.Equal(2, exit.ExitCode);
        Assert.Contains(key, exit.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongCredentials_AreReportedInTheStatus_AndTheRestoreFailsClearly()
    {
        await using var s3 = new S3rverServer();
        await s3.StartAsync();
        var env = new Dictionary<string, string>(S3Environment(s3, "s3://backup/creds"))
        {
            ["AWS_ACCESS_KEY_ID"] = "WRONG",
            ["AWS_SECRET_ACCESS_KEY"] = "not-the-secret",
        };
        await using var mesh = await TestMesh.StartAsync(1, env: env);
        mesh[0].Exec("INSERT INTO items VALUES ('a', 1, 1)");

        var backup = await Eventually.ValueAsync(async () => (await mesh[0].StatusAsync()).Backup!, b => b.LastError is not null, Timeout, "the archive refuses");
        Assert.DoesNotContain("not-the-secret", backup.LastError, StringComparison.Ordinal);

        using var target = new TempDatabase("unused.db");
        var path = Path.Combine(target.Folder, "restored.db");
        var exit = await SidecarProcess.RunToExitAsync(["restore", "--from", "s3://backup/creds", "--endpoint", s3.Endpoint, "--to", path], env);
        Assert.Equal(1, exit.ExitCode);
        Assert.Contains("s3://backup/creds", exit.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    private static Dictionary<string, string> S3Environment(S3rverServer s3, string? url)
    {
        var env = new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = S3rverServer.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = S3rverServer.SecretAccessKey,
            ["AWS_REGION"] = "us-east-1",
        };
        if (url is not null)
        {
            env["K8SREPL_BACKUP_URL"] = url;
            env["K8SREPL_BACKUP_ENDPOINT"] = s3.Endpoint;
            env["K8SREPL_BACKUP_INTERVAL"] = "200ms";
        }

        return env;
    }

    /// <summary>Waits until the member has archived everything written so far: a round succeeded after now, and nothing is pending.</summary>
    private static async Task<BackupHealth> ArchivedAsync(TestNode node)
    {
        var since = DateTimeOffset.UtcNow;
        return await Eventually.ValueAsync(async () => (await node.StatusAsync()).Backup!,
            b => b is { PendingChanges: 0, LastError: null, LastSuccessAt: { } at } && at > since, Timeout, $"{node.Name} archives everything it wrote");
    }

    private static string Dump(string path)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return string.Join("\n", connection.Rows("SELECT id, quote(v), n FROM items ORDER BY id").Select(r => string.Join("|", r)));
    }
}
