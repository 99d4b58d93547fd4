using K8sReplication.TestKit.Network;

namespace K8sReplication.Sidecar.Tests.Integration;

/// <summary>Partitions through the TCP fault proxy, and the cold path converging on its own.</summary>
public sealed class FaultTests
{
    [Fact]
    public async Task Partition_BothSidesKeepWriting_ConvergeAfterHealing()
    {
        await using var mesh = await TestMesh.StartAsync(2, interval: "1s");
        await using var to0 = FaultProxy.For(mesh[0].ReplicationUrl);
        await using var to1 = FaultProxy.For(mesh[1].ReplicationUrl);
        await mesh.ConnectFullMeshAsync(urlFor: (_, j) => j == 0 ? to0.Url : to1.Url);
        mesh[0].Exec("INSERT INTO items VALUES ('a', 'before', 0)");
        await mesh.WaitConvergedAsync(TimeSpan.FromSeconds(30), "connected before the partition");

        to0.Partition();
        to1.Partition();
        mesh[0].Exec("INSERT INTO items VALUES ('left', 'l', 1)");
        mesh[1].Exec("INSERT INTO items VALUES ('right', 'r', 2)");
        mesh[1].Exec("UPDATE items SET v = 'changed on the right' WHERE id = 'a'");
        Assert.Equal(2, mesh[0].Count());
        Assert.Equal(2, mesh[1].Count());
        Assert.DoesNotContain("right", mesh[0].Dump());

        to0.Heal();
        to1.Heal();

        // Two anti-entropy intervals (2 s) plus start-up of backed-off loops on a loaded machine.
        await mesh.WaitConvergedAsync(TimeSpan.FromSeconds(20), "healed partition converges");
        Assert.Contains("changed on the right", mesh[0].Dump());
        Assert.Equal(3, mesh[0].Count());
    }

    [Fact]
    public async Task HotPathOff_AntiEntropyAloneConvergesTheMesh()
    {
        var env = new Dictionary<string, string> { ["K8SREPL_FAULTS"] = "hotpath-off" };
        await using var mesh = await TestMesh.StartAsync(3, interval: "1s", env: env);
        await mesh.ConnectFullMeshAsync();
        for (var i = 0; i < 3; i++)
        {
            mesh[i].Exec($"INSERT INTO items VALUES ('n{i}-1', 'x', {i}), ('shared', 'from n{i}', {i}) ON CONFLICT(id) DO UPDATE SET v = excluded.v");
        }

        mesh[2].Exec("DELETE FROM items WHERE id = 'n2-1'");
        await mesh.WaitConvergedAsync(TimeSpan.FromSeconds(40), "anti-entropy alone converges");
        Assert.Equal(3, mesh[0].Count());
        var status = await mesh[0].StatusAsync();
        Assert.All(status.Peers, p => Assert.NotNull(p.LastAntiEntropy));
        Assert.Contains(status.Peers, p => p.LastAntiEntropy!.Result is "repaired" or "equal");
    }
}
