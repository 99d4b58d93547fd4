using k8s;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Json;
using K8sReplication.Contracts.Mesh;
using K8sReplication.Kube.Client;
using K8sReplication.Operator.Mesh;
using K8sReplication.TestKit;
using K8sReplication.TestKit.Tools;

namespace K8sReplication.Operator.Tests.Integration;

/// <summary>The real operator process against the API emulator and real sidecar processes on real SQLite files.</summary>
public sealed class MeshLifecycleTests
{
    private static readonly TimeSpan Deadline = OperatorScenario.Deadline;

    [Fact]
    public async Task MeshOfThreePods_PeersPushed_DataReplicates_StatusReadyAndConverged_KubectlShowsColumns_MetricsValid()
    {
        await using var scenario = await OperatorScenario.StartAsync();
        await Task.WhenAll(scenario.AddMemberAsync("demo-0"), scenario.AddMemberAsync("demo-1"), scenario.AddMemberAsync("demo-2"));
        var op = await scenario.StartOperatorAsync();
        await scenario.CreateMeshAsync("demo");

        var mesh = await scenario.WaitForMeshAsync("demo", m => OperatorScenario.Settled(m, 3), "three members, Ready, Converged, ConfigApplied");
        Assert.Equal(3, mesh.Status!.ReadyMembers);
        Assert.Equal(["demo-0", "demo-1", "demo-2"], mesh.Status.Members!.Select(m => m.Pod));
        Assert.All(mesh.Status.Members!, m => Assert.Equal(mesh.Status.ConfigGeneration, m.ConfigGeneration));
        Assert.Contains(Labels.Finalizer, mesh.Metadata.Finalizers ?? []);

        // The ConfigMap holds every member's entry with its two peers, owned by the mesh.
        var configMap = await scenario.Kube.CoreV1.ReadNamespacedConfigMapAsync(MeshResource.ConfigMapName("demo"), OperatorScenario.Namespace);
        Assert.Equal(mesh.Metadata.Uid, Assert.Single(configMap.Metadata.OwnerReferences!).Uid);
        foreach (var pod in new[] { "demo-0", "demo-1", "demo-2" })
        {
            var config = System.Text.Json.JsonSerializer.Deserialize(configMap.Data![MeshResource.ConfigMapKey(pod)], ContractsJsonContext.Default.SidecarConfig)!;
            Assert.Equal([.. new[] { "demo-0", "demo-1", "demo-2" }.Where(p => p != pod)], config.Peers!.Select(p => p.Name));
        }

        // Data written in one member reaches the others through the pushed peers.
        scenario.Members["demo-1"].Insert("written-on-1");
        await Eventually.TrueAsync(() => scenario.Members.Values.All(m => m.Has("written-on-1")), Deadline, "the row to reach every member");
        await scenario.WaitForMeshAsync("demo", m => OperatorScenario.Settled(m, 3), "converged again after the write");

        // The real kubectl shows the printer columns. Status is refreshed every few seconds, so the converged row is
        // awaited rather than expected from the first call.
        var lines = await Eventually.ValueAsync(
            async () =>
            {
                var get = await ExternalTool.Kubectl.RunAsync(["--kubeconfig", scenario.Kubeconfig, "get", "rmesh"]);
                Assert.True(get.ExitCode == 0, get.Stderr);
                return get.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            },
            l => l.Length > 1 && l[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(4).SequenceEqual(["demo", "3", "3", "True"]),
            Deadline,
            "kubectl get rmesh to show 3 members, 3 ready, converged");
        Assert.Equal(["NAME", "MEMBERS", "READY", "CONVERGED", "MAX-LAG", "AGE"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));

        // Probes and metrics.
        using var http = new HttpClient();
        Assert.True((await http.GetAsync(new Uri(op.Started.Health, "/healthz"))).IsSuccessStatusCode);
        Assert.True((await http.GetAsync(new Uri(op.Started.Health, "/readyz"))).IsSuccessStatusCode);
        var metrics = await http.GetStringAsync(new Uri(op.Started.Metrics, "/metrics"));
        Assert.Contains("k8srepl_reconcile_total{result=", metrics, StringComparison.Ordinal);
        Assert.Contains("k8srepl_reconcile_duration_seconds_bucket", metrics, StringComparison.Ordinal);
        Assert.Contains("k8srepl_workqueue_depth ", metrics, StringComparison.Ordinal);
        Assert.Contains("k8srepl_meshes 1", metrics, StringComparison.Ordinal);
        Assert.Contains("k8srepl_mesh_members{mesh=\"default/demo\",ready=\"true\"} 3", metrics, StringComparison.Ordinal);
        var check = await ExternalTool.Promtool.RunAsync(["check", "metrics"], stdin: metrics);
        Assert.True(check.ExitCode == 0, check.Stdout + check.Stderr);
    }

    [Fact]
    public async Task PodDeleted_LeavesPeerListsAndStatus_PodAdded_JoinsAndConverges()
    {
        await using var scenario = await OperatorScenario.StartAsync();
        await Task.WhenAll(scenario.AddMemberAsync("demo-0"), scenario.AddMemberAsync("demo-1"), scenario.AddMemberAsync("demo-2"));
        await scenario.StartOperatorAsync();
        await scenario.CreateMeshAsync("demo");
        await scenario.WaitForMeshAsync("demo", m => OperatorScenario.Settled(m, 3), "three settled members");

        await scenario.DeletePodAsync("demo-2");
        await scenario.WaitForMeshAsync("demo", m => OperatorScenario.Settled(m, 2) && m.Status!.Members!.All(x => x.Pod != "demo-2"),
            "demo-2 gone from the status");
        foreach (var member in scenario.Members.Values)
        {
            var peers = await PeersAsync(member);
            Assert.Equal([scenario.Members.Keys.Single(k => k != member.Pod)], peers);
        }

        var joined = await scenario.AddMemberAsync("demo-3");
        scenario.Members["demo-0"].Insert("before-join");
        await scenario.WaitForMeshAsync("demo", m => OperatorScenario.Settled(m, 3) && m.Status!.Members!.Any(x => x.Pod == "demo-3"),
            "demo-3 joined and converged");
        // "Converged" compares the members' Merkle roots as their last status reports them; a write the app made
        // just before can still be on its way (captured but not yet folded or fetched), so wait for the row itself.
        await Eventually.TrueAsync(() => joined.Has("before-join"), Deadline, "the new member caught up with existing data");
        Assert.Equal(["demo-0", "demo-1"], await PeersAsync(joined));
    }

    [Fact]
    public async Task ScaleDownWhileWriting_TerminatingMemberDrains_StaysInPeerListsUntilGone_NothingLost()
    {
        await using var scenario = await OperatorScenario.StartAsync();
        await Task.WhenAll(scenario.AddMemberAsync("demo-0"), scenario.AddMemberAsync("demo-1"),
            scenario.AddMemberAsync("demo-2", "--drain-timeout", "60s"));
        await scenario.StartOperatorAsync();
        await scenario.CreateMeshAsync("demo");
        await scenario.WaitForMeshAsync("demo", m => OperatorScenario.Settled(m, 3), "three settled members");

        // The kubelet's part of a graceful delete: the pod stays (terminating) until its containers have exited.
        const string kubelet = "test.k8srepl.dev/kubelet";
        await scenario.Kube.CoreV1.PatchNamespacedPodAsync(OperatorScenario.MergePatch(new { metadata = new { finalizers = new[] { kubelet } } }),
            "demo-2", OperatorScenario.Namespace);
        var leaving = scenario.Members["demo-2"];
        for (var i = 0; i < 20; i++)
        {
            leaving.Insert($"last-{i}");
        }

        await scenario.Kube.CoreV1.DeleteNamespacedPodAsync("demo-2", OperatorScenario.Namespace);
        var draining = await scenario.WaitForMeshAsync("demo",
            m => m.Status?.Members?.FirstOrDefault(x => x.Pod == "demo-2")?.State == MeshStatusBuilder.DrainingState,
            "the terminating member shown as Draining");
        Assert.Equal(3, draining.Status!.TotalMembers);
        Assert.Contains("demo-2", await PeersAsync(scenario.Members["demo-0"]));
        Assert.Contains("demo-2", await PeersAsync(scenario.Members["demo-1"]));

        // SIGTERM: the sidecar drains (its peers still fetch from it), then exits 0.
        Assert.Equal(0, await leaving.Process.StopAsync(TimeSpan.FromSeconds(90)));
        Assert.Contains("Drained", leaving.Process.Stderr, StringComparison.Ordinal);
        await scenario.Kube.CoreV1.PatchNamespacedPodAsync(OperatorScenario.MergePatch(new { metadata = new { finalizers = (string[]?)null } }),
            "demo-2", OperatorScenario.Namespace);
        await scenario.WaitForMeshAsync("demo", m => OperatorScenario.Settled(m, 2) && m.Status!.Members!.All(x => x.Pod != "demo-2"),
            "demo-2 gone once its pod is");
        foreach (var pod in new[] { "demo-0", "demo-1" })
        {
            var member = scenario.Members[pod];
            Assert.All(Enumerable.Range(0, 20), i => Assert.True(member.Has($"last-{i}"), $"{pod} lacks last-{i}"));
        }
    }

    [Fact]
    public async Task SidecarKilled_DegradedNamesMember_Restarted_Recovers()
    {
        await using var scenario = await OperatorScenario.StartAsync();
        await Task.WhenAll(scenario.AddMemberAsync("demo-0"), scenario.AddMemberAsync("demo-1"), scenario.AddMemberAsync("demo-2"));
        await scenario.StartOperatorAsync();
        await scenario.CreateMeshAsync("demo");
        await scenario.WaitForMeshAsync("demo", m => OperatorScenario.Settled(m, 3), "three settled members");

        scenario.Members["demo-1"].Kill();
        var degraded = await scenario.WaitForMeshAsync("demo", m => OperatorScenario.Has(m, ConditionTypes.Degraded, ConditionStatus.True),
            "Degraded=True after the kill");
        var condition = OperatorScenario.Condition(degraded, ConditionTypes.Degraded)!;
        Assert.Equal(ConditionReasons.MemberUnreachable, condition.Reason);
        Assert.Contains("demo-1", condition.Message, StringComparison.Ordinal);
        Assert.Equal("Unreachable", degraded.Status!.Members!.Single(m => m.Pod == "demo-1").State);

        await scenario.Members["demo-1"].RestartOnSamePortsAsync();
        scenario.Members["demo-0"].Insert("after-restart");
        await scenario.WaitForMeshAsync("demo", m => OperatorScenario.Settled(m, 3) && OperatorScenario.Has(m, ConditionTypes.Degraded, ConditionStatus.False),
            "recovered: settled and not degraded");
        await Eventually.TrueAsync(() => scenario.Members["demo-1"].Has("after-restart"), Deadline, "the restarted member to catch up");
    }

    [Fact]
    public async Task SpecChange_NewConfigGeneration_AppliedByAllMembers()
    {
        await using var scenario = await OperatorScenario.StartAsync();
        await Task.WhenAll(scenario.AddMemberAsync("demo-0"), scenario.AddMemberAsync("demo-1"), scenario.AddMemberAsync("demo-2"));
        await scenario.StartOperatorAsync();
        await scenario.CreateMeshAsync("demo");
        var before = await scenario.WaitForMeshAsync("demo", m => OperatorScenario.Settled(m, 3), "three settled members");
        var generation = before.Status!.ConfigGeneration!.Value;

        var current = (await scenario.GetMeshAsync("demo"))!;
        current.Spec = current.Spec! with
        {
            AntiEntropy = new AntiEntropySpec { Interval = "2s" },
            Topology = new TopologySpec { Type = Contracts.Config.Topology.Sparse, Degree = 2 },
        };
        await scenario.ReplaceMeshAsync(current);

        var after = await scenario.WaitForMeshAsync("demo",
            m => m.Status!.ConfigGeneration > generation && m.Status.ObservedGeneration == m.Metadata.Generation && OperatorScenario.Settled(m, 3),
            "a new config generation applied by all");
        Assert.Equal(ConditionReasons.AllMembersCurrent, OperatorScenario.Condition(after, ConditionTypes.ConfigApplied)!.Reason);
        Assert.All(after.Status!.Members!, m => Assert.Equal(after.Status.ConfigGeneration, m.ConfigGeneration));
    }

    [Fact]
    public async Task MeshDeleted_MembersStopReplicating_FinalizerReleased_ConfigMapCollected()
    {
        await using var scenario = await OperatorScenario.StartAsync();
        await Task.WhenAll(scenario.AddMemberAsync("demo-0"), scenario.AddMemberAsync("demo-1"));
        await scenario.StartOperatorAsync();
        await scenario.CreateMeshAsync("demo");
        await scenario.WaitForMeshAsync("demo", m => OperatorScenario.Settled(m, 2), "two settled members");

        await scenario.Kube.CustomObjects.DeleteNamespacedCustomObjectAsync(MeshApi.Group, MeshApi.Version, OperatorScenario.Namespace, MeshApi.Plural, "demo");
        await Eventually.ValueAsync(async () => await scenario.GetMeshAsync("demo") is null, gone => gone, Deadline, "the mesh to be deleted");
        await Eventually.ValueAsync(
            async () => await scenario.Kube.CoreV1.ReadNamespacedConfigMapAsync(MeshResource.ConfigMapName("demo"), OperatorScenario.Namespace).NullWhenNotFound() is null,
            gone => gone, Deadline, "the ConfigMap to be garbage-collected");
        foreach (var member in scenario.Members.Values)
        {
            Assert.Empty(await PeersAsync(member));
        }

        // Everything the operator did over a whole mesh lifetime is covered by the documented RBAC rules.
        RbacDocument.AssertAllows(scenario.Api.Requests);
    }

    internal static async Task<IReadOnlyList<string>> PeersAsync(MemberNode member)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(member.Process.AdminUrl, Paths.Status));
        request.Headers.Authorization = new("Bearer", OperatorScenario.Token);
        using var response = await http.SendAsync(request);
        var health = System.Text.Json.JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(), ContractsJsonContext.Default.SidecarHealth)!;
        return [.. health.Peers.Select(p => p.Name).Order(StringComparer.Ordinal)];
    }
}
