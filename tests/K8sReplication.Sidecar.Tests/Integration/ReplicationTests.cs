using K8sReplication.TestKit;

namespace K8sReplication.Sidecar.Tests.Integration;

/// <summary>Real sidecar processes replicating real SQLite files.</summary>
public sealed class ReplicationTests
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task ThreeSidecars_ConflictingWritesAndDeletes_ConvergeToTheSameWinners()
    {
        await using var mesh = await TestMesh.StartAsync(3);
        await mesh.ConnectFullMeshAsync();
        for (var i = 0; i < 3; i++)
        {
            var node = mesh[i];
            node.Exec($"INSERT INTO items VALUES ('own-{i}-a', 'x', {i}), ('own-{i}-b', 2.5, {i}), ('own-{i}-c', x'00ff', {i})");
            for (var k = 0; k < 20; k++)
            {
                node.Exec($"INSERT INTO items VALUES ('shared-{k}', 'from {node.Name}', {i}) ON CONFLICT(id) DO UPDATE SET v = excluded.v, n = excluded.n");
            }
        }

        // The delete must see the row it deletes: a DELETE that matches nothing captures nothing, so
        // wait until member 1's insert has reached member 0 (the shared keys are still in conflict).
        await Eventually.TrueAsync(
            () => mesh[0].Dump().Contains("own-1-a|", StringComparison.Ordinal),
            Converge,
            "member 1's row reached member 0 before member 0 deletes it");
        mesh[0].Exec("DELETE FROM items WHERE id IN ('shared-1', 'own-1-a')");
        mesh[2].Exec("UPDATE items SET v = 'late' WHERE id = 'shared-2'");
        mesh[1].Exec("DELETE FROM items WHERE id = 'shared-3'");

        await mesh.WaitConvergedAsync(Converge, "three members converge after conflicting writes");
        var dump = mesh[0].Dump();
        Assert.Contains("own-2-c", dump);
        Assert.Contains("Double:2.5", dump);
        Assert.Contains("Byte[]:00FF", dump);
        Assert.DoesNotContain("own-1-a|", dump);
        Assert.Equal(mesh[0].Dump(), mesh[2].Dump());
    }

    [Fact]
    public async Task WritesWhileASidecarIsStopped_AreDeliveredAfterItRestarts()
    {
        await using var mesh = await TestMesh.StartAsync(2);
        await mesh.ConnectFullMeshAsync();
        mesh[1].Exec("INSERT INTO items VALUES ('before', 'b', 0)");
        await mesh.WaitConvergedAsync(Converge, "first row replicated");

        Assert.Equal(0, await mesh[1].Process.StopAsync());

        // Captured by the triggers in the app's own transaction while the sidecar is down.
        mesh[1].Exec("INSERT INTO items VALUES ('while-down-1', 'd', 1), ('while-down-2', 'd', 2)");
        mesh[1].Exec("DELETE FROM items WHERE id = 'before'");
        mesh[0].Exec("INSERT INTO items VALUES ('from-0-while-1-down', 'e', 3)");

        await mesh[1].Process.RestartAsync();

        // Port 0: the restarted member listens elsewhere; tell its peer (as the operator would).
        await mesh.ConnectFullMeshAsync(generation: 2);
        await mesh.WaitConvergedAsync(Converge, "writes made while stopped delivered after restart");
        Assert.Equal(3, mesh[0].Count());
        Assert.DoesNotContain("before", mesh[0].Dump());
    }

    [Fact]
    public async Task KillNineDuringHeavyReplication_RestartLosesAndDuplicatesNothing()
    {
        await using var mesh = await TestMesh.StartAsync(2);
        await mesh.ConnectFullMeshAsync();
        using (var c = mesh[0].Open())
        {
            for (var batch = 0; batch < 20; batch++)
            {
                using var tx = c.BeginTransaction();
                for (var i = 0; i < 500; i++)
                {
                    using var cmd = c.CreateCommand();
                    cmd.Transaction = tx;
                    cmd.CommandText = $"INSERT INTO items VALUES ('row-{batch:D2}-{i:D4}', randomblob(64), {i})";
                    cmd.ExecuteNonQuery();
                }

                tx.Commit();
            }
        }

        await Eventually.TrueAsync(() => mesh[1].Count() > 0, TimeSpan.FromSeconds(30), "replication started");
        mesh[1].Process.Kill();
        var partial = mesh[1].Count();
        mesh[0].Exec("UPDATE items SET n = n + 1000 WHERE id LIKE 'row-0%'");
        await mesh[1].Process.RestartAsync();
        await mesh.ConnectFullMeshAsync(generation: 2);

        await mesh.WaitConvergedAsync(Converge, "killed member catches up after restart");
        Assert.Equal(10_000, mesh[1].Count());
        Assert.True(partial <= 10_000);
        using var check = mesh[1].Open();
        Assert.Equal(0L, K8sReplication.TestKit.Sqlite.SqliteConnectionTestExtensions.Scalar(check, "SELECT count(*) FROM items WHERE id LIKE 'row-0%' AND n < 1000"));
    }
}
