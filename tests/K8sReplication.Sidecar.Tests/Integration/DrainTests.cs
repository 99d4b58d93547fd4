using K8sReplication.TestKit;
using K8sReplication.TestKit.Network;

namespace K8sReplication.Sidecar.Tests.Integration;

/// <summary>SIGTERM drains: the sidecar waits for a peer to fetch every change only it holds.</summary>
public sealed class DrainTests
{
    /// <summary>The sidecar's own default (test processes otherwise exit at once on SIGTERM).</summary>
    private static readonly Dictionary<string, string> DefaultDrain = new() { ["K8SREPL_DRAIN_TIMEOUT"] = "30s" };

    [Fact]
    public async Task LinkCut_WritesOnA_SigtermA_HealInTheWindow_BHasEveryRow_AndAExits0()
    {
        await using var mesh = await TestMesh.StartAsync(2, interval: "1h", env: DefaultDrain);
        await using var toA = FaultProxy.For(mesh[0].ReplicationUrl);
        await mesh.ConnectFullMeshAsync(urlFor: (_, j) => j == 0 ? toA.Url : mesh[1].ReplicationUrl);
        mesh[0].Exec("INSERT INTO items VALUES ('before', 'x', 0)");
        await mesh.WaitConvergedAsync(TimeSpan.FromSeconds(30), "connected before the cut");

        toA.Partition();
        for (var i = 0; i < 5; i++)
        {
            mesh[0].Exec($"INSERT INTO items VALUES ('cut-{i}', 'only on A', {i})");
        }

        var exit = mesh[0].Process.StopAsync(TimeSpan.FromSeconds(60));
        var draining = await Eventually.ValueAsync(mesh[0].StatusAsync, s => s.Draining && s.UndeliveredChanges == 5,
            TimeSpan.FromSeconds(10), "A drains, counting the 5 rows only it holds");
        Assert.Equal(5, draining.UndeliveredChanges);
        Assert.False(exit.IsCompleted, "A exited before any peer had its rows");
        Assert.Equal(1, mesh[1].Count());

        toA.Heal();
        Assert.Equal(0, await exit);
        Assert.Equal(6, mesh[1].Count());
        Assert.Contains("Drained", mesh[0].Process.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DrainTimeoutRunsOut_ExitsWithAWarningNamingTheChangesOnlyThisMemberHolds()
    {
        var env = new Dictionary<string, string> { ["K8SREPL_DRAIN_TIMEOUT"] = "1s" };
        await using var mesh = await TestMesh.StartAsync(2, interval: "1h", env: env);
        await using var toA = FaultProxy.For(mesh[0].ReplicationUrl);
        await mesh.ConnectFullMeshAsync(urlFor: (_, j) => j == 0 ? toA.Url : mesh[1].ReplicationUrl);
        await mesh.WaitConvergedAsync(TimeSpan.FromSeconds(30), "connected");

        toA.Partition();
        mesh[0].Exec("INSERT INTO items VALUES ('a', 'only on A', 1), ('b', 'only on A', 2), ('c', 'only on A', 3)");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(0, await mesh[0].Process.StopAsync(TimeSpan.FromSeconds(30)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"stopping took {clock.Elapsed}");
        Assert.Contains("Exiting with 3 local changes no peer has fetched", mesh[0].Process.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, mesh[1].Count());
    }

    [Fact]
    public async Task NothingUndelivered_ExitsAtOnce()
    {
        await using var mesh = await TestMesh.StartAsync(2, interval: "1h", env: DefaultDrain);
        await mesh.ConnectFullMeshAsync();
        mesh[0].Exec("INSERT INTO items VALUES ('a', 'x', 1)");
        await mesh.WaitConvergedAsync(TimeSpan.FromSeconds(30), "delivered");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(0, await mesh[0].Process.StopAsync(TimeSpan.FromSeconds(30)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"stopping took {clock.Elapsed}");
        Assert.Contains("Drained", mesh[0].Process.Stderr, StringComparison.Ordinal);
    }
}
