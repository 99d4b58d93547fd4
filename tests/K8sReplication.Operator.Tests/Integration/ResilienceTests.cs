using k8s;
using K8sReplication.Kube.Client;
using K8sReplication.Operator.Hosting;
using K8sReplication.TestKit;

namespace K8sReplication.Operator.Tests.Integration;

/// <summary>API-server failures and operator replicas: the operator recovers without a restart and never double-acts.</summary>
public sealed class ResilienceTests
{
    private static readonly TimeSpan Deadline = OperatorScenario.Deadline;

    [Fact]
    public async Task WatchesDroppedAndHistoryExpired_OperatorRelistsWithoutRestart_AndMissesNoChange()
    {
        await using var scenario = await OperatorScenario.StartAsync();
        await Task.WhenAll(scenario.AddMemberAsync("demo-0"), scenario.AddMemberAsync("demo-1"));
        var op = await scenario.StartOperatorAsync();
        await scenario.CreateMeshAsync("demo");
        await scenario.WaitForMeshAsync("demo", m => OperatorScenario.Settled(m, 2), "two settled members");

        // Cut every watch and forget the history: resuming from the last seen version now gets 410 Expired.
        scenario.Api.Faults.DropWatches();
        scenario.Api.Faults.ExpireHistory();
        await scenario.DeletePodAsync("demo-1");
        await scenario.AddMemberAsync("demo-2");
        scenario.Api.Faults.DropWatches();
        scenario.Api.Faults.ExpireHistory();

        var mesh = await scenario.WaitForMeshAsync("demo",
            m => OperatorScenario.Settled(m, 2) && m.Status!.Members!.Select(x => x.Pod).SequenceEqual(["demo-0", "demo-2"]),
            "the delete and the add made while watches were down to be seen");
        Assert.False(op.HasExited, "the operator must recover without a restart");
        Assert.Equal(["demo-2"], await MeshLifecycleTests.PeersAsync(scenario.Members["demo-0"]));
        Assert.Equal(2, mesh.Status!.ReadyMembers);

        // The changes above may reach the operator through a watch it reopened between the faults, and a watch resumed
        // from the newest version is not expired. To be sure the pod informer meets a 410, move the newest version past
        // everything it has seen with a write it does not watch (a Secret) before forgetting the history.
        var podListsBefore = PodLists(scenario);
        scenario.Api.Faults.DropWatches();
        await scenario.CreateSecretAsync("unwatched-write", "x", optedIn: false);
        scenario.Api.Faults.ExpireHistory();
        await Eventually.TrueAsync(() => PodLists(scenario) > podListsBefore, Deadline, "the operator relisted pods after the 410");
        Assert.False(op.HasExited, "the operator must recover without a restart");

        // Watches are live again: a later change arrives without any fault.
        await scenario.AddMemberAsync("demo-3");
        await scenario.WaitForMeshAsync("demo", m => OperatorScenario.Settled(m, 3), "a change after recovery to be seen");
    }

    [Fact]
    public async Task TwoOperatorsWithLeaderElection_OnlyTheLeaderReconciles_KillingItHandsOver()
    {
        await using var scenario = await OperatorScenario.StartAsync();
        string[] election = ["--leader-elect", "--lease-namespace", OperatorScenario.Namespace, "--lease-duration", "3s", "--renew-deadline", "2s",
            "--retry-period", "500ms"];
        var a = await scenario.StartOperatorAsync([.. election, "--identity", "op-a"]);
        await Eventually.ValueAsync(LeaseHolderAsync, h => h == "op-a", Deadline, "op-a to take the lease");
        var b = await scenario.StartOperatorAsync([.. election, "--identity", "op-b"]);
        await scenario.CreateMeshAsync("first");
        await scenario.WaitForMeshAsync("first", m => m.Status?.Phase == "Pending" && (m.Metadata.Finalizers?.Count ?? 0) == 1, "op-a to reconcile the mesh");

        // Let op-b see several resyncs' worth of time as a follower, then check it wrote nothing.
        await scenario.WaitForMeshAsync("first", m => m.Status is not null, "status present");
        await Eventually.TrueAsync(() => Writes(scenario, "op-a") >= 2, Deadline, "op-a to write (finalizer and status)");
        Assert.Equal(0, Writes(scenario, "op-b"));
        Assert.Equal("op-a", await LeaseHolderAsync());

        // SIGKILL: no release. op-b takes over once the lease expires and reconciles a new mesh.
        a.Kill();
        await scenario.CreateMeshAsync("second");
        await scenario.WaitForMeshAsync("second", m => m.Status?.Phase == "Pending", "op-b to take over and reconcile the new mesh");
        Assert.Equal("op-b", await LeaseHolderAsync());
        Assert.True(Writes(scenario, "op-b") > 0, "op-b wrote after the handover");
        Assert.False(b.HasExited);
        RbacDocument.AssertAllows(scenario.Api.Requests);

        async Task<string?> LeaseHolderAsync()
        {
            var lease = await scenario.Kube.CoordinationV1.ReadNamespacedLeaseAsync(OperatorOptions.LeaseName, OperatorScenario.Namespace).NullWhenNotFound();
            return lease?.Spec?.HolderIdentity;
        }
    }

    private static int PodLists(OperatorScenario scenario) =>
        scenario.Api.Requests.Count(r => r.Verb == "list" && r.Resource == "pods" && r.UserAgent.Contains("k8srepl-operator", StringComparison.Ordinal));

    /// <summary>Writes to meshes or ConfigMaps by the operator whose identity is <paramref name="identity"/>.</summary>
    private static int Writes(OperatorScenario scenario, string identity) =>
        scenario.Api.Requests.Count(r => r.UserAgent.Contains($"({identity})", StringComparison.Ordinal)
            && r.Verb is "create" or "update" or "patch" or "delete"
            && r.Resource is MeshApiPlural or "configmaps");

    private const string MeshApiPlural = Contracts.Mesh.MeshApi.Plural;
}
