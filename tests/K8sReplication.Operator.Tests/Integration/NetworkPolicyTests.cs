using k8s;
using k8s.Models;
using K8sReplication.Contracts.Mesh;
using K8sReplication.Kube.Client;
using K8sReplication.Operator.Tests.Network;
using K8sReplication.TestKit;
using K8sReplication.TestKit.Tools;

namespace K8sReplication.Operator.Tests.Integration;

/// <summary>
/// The real operator keeps each mesh's NetworkPolicy in the emulated cluster: it follows the mesh's pods and spec,
/// comes back after edits and deletion, and its condition says when other policies make Open the wrong choice.
/// </summary>
public sealed class NetworkPolicyTests
{
    private const string Ns = OperatorScenario.Namespace;
    private const string PolicyName = "demo-replication";
    private static readonly TimeSpan Deadline = OperatorScenario.Deadline;
    private static readonly Dictionary<string, string> Member = new() { ["app"] = OperatorScenario.AppLabel };
    private static readonly Dictionary<string, string> Stranger = new() { ["app"] = "web" };
    private static readonly Dictionary<string, string> OperatorPod = new() { ["app.kubernetes.io/name"] = "k8s-replication" };
    private static readonly string[] OperatorFlags =
        ["--network-policy-operator-namespace", "k8srepl-system", "--network-policy-operator-labels", "app.kubernetes.io/name=k8s-replication"];

    [Fact]
    public async Task OperatorKeepsThePolicy_FollowsPodsAndSpec_RestoresEditsAndDeletion_DeletesItWhenDisabled()
    {
        await using var scenario = await OperatorScenario.StartAsync();
        await scenario.CreatePodAsync("demo-0", 7100, 7101);
        await scenario.StartOperatorAsync(OperatorFlags);
        await scenario.CreateMeshAsync("demo");

        var applied = await WaitForConditionAsync(scenario, ConditionStatus.True, "Applied");
        Assert.Contains("7100", applied.Message, StringComparison.Ordinal);
        var policy = await ReadAsync(scenario);
        Assert.True(Admits(policy, Member, 7100));
        Assert.True(Admits(policy, OperatorPod, 7100, "k8srepl-system"));
        Assert.False(Admits(policy, Stranger, 7100));
        Assert.True(Admits(policy, Stranger, 8080), "the app's own port stays open");
        Assert.True(Admits(policy, Stranger, 7101), "the admin port stays open with otherPorts Open");

        // The real kubectl reads it like any NetworkPolicy.
        var get = await ExternalTool.Kubectl.RunAsync(
            ["--kubeconfig", scenario.Kubeconfig, "get", "netpol", PolicyName, "-o", "jsonpath={.spec.ingress[0].ports[0].port}"]);
        Assert.True(get.ExitCode == 0, get.Stderr);
        Assert.Equal("7100", get.Stdout.Trim());

        // A second member on another port: both replication ports are narrowed.
        await scenario.CreatePodAsync("demo-1", 7200, 7201);
        policy = await WaitForPolicyAsync(scenario, p => !Admits(p, Stranger, 7200), "the new member's replication port in the policy");
        Assert.False(Admits(policy, Stranger, 7100));

        // Someone widens it by hand: the operator puts it back. Someone deletes it: the operator recreates it.
        policy.Spec.Ingress = [new V1NetworkPolicyIngressRule()];
        await scenario.Kube.NetworkingV1.ReplaceNamespacedNetworkPolicyAsync(policy, PolicyName, Ns);
        await WaitForPolicyAsync(scenario, p => p.Spec.Ingress.Count == 2 && !Admits(p, Stranger, 7100), "the edited policy restored");
        await scenario.Kube.NetworkingV1.DeleteNamespacedNetworkPolicyAsync(PolicyName, Ns);
        await WaitForPolicyAsync(scenario, p => !Admits(p, Stranger, 7100), "the deleted policy recreated");

        // Another policy isolates the pods: Open would admit more than it does, and the condition says so.
        await scenario.Kube.NetworkingV1.CreateNamespacedNetworkPolicyAsync(new V1NetworkPolicy
        {
            Metadata = new V1ObjectMeta { Name = "default-deny", NamespaceProperty = Ns },
            Spec = new V1NetworkPolicySpec { PodSelector = new V1LabelSelector(), PolicyTypes = ["Ingress"] },
        }, Ns);
        var widens = await WaitForConditionAsync(scenario, ConditionStatus.False, "OtherPoliciesIsolateMembers");
        Assert.Contains("default-deny", widens.Message, StringComparison.Ordinal);
        Assert.Contains("otherPorts: Closed", widens.Message, StringComparison.Ordinal);

        // Closed: only the operator reaches the admin port; the app's ports are left to default-deny's owner.
        var mesh = (await scenario.GetMeshAsync("demo"))!;
        mesh.Spec = mesh.Spec! with { NetworkPolicy = new NetworkPolicySpec { OtherPorts = OtherPortsPolicy.Closed } };
        await scenario.ReplaceMeshAsync(mesh);
        await WaitForConditionAsync(scenario, ConditionStatus.True, "Applied");
        policy = await ReadAsync(scenario);
        Assert.True(Admits(policy, OperatorPod, 7101, "k8srepl-system"));
        Assert.False(Admits(policy, Stranger, 7101));
        Assert.False(Admits(policy, Stranger, 8080));

        // Disabled: the policy goes, and so does the condition.
        mesh = (await scenario.GetMeshAsync("demo"))!;
        mesh.Spec = mesh.Spec! with { NetworkPolicy = new NetworkPolicySpec { Mode = NetworkPolicyMode.Disabled } };
        await scenario.ReplaceMeshAsync(mesh);
        await Eventually.ValueAsync(() => TryReadAsync(scenario), p => p is null, Deadline, "the policy deleted");
        await scenario.WaitForMeshAsync("demo", m => OperatorScenario.Condition(m, ConditionTypes.NetworkPolicyReady) is null, "the condition gone");
        var events = await scenario.ListEventsAsync();
        Assert.Contains(events, e => e.Reason == "NetworkPolicyCreated" && e.Regarding?.Name == "demo");
        Assert.Contains(events, e => e.Reason == "NetworkPolicyDeleted" && e.Regarding?.Name == "demo");
    }

    [Fact]
    public async Task APolicyOfTheSameNameNotTheMeshs_IsLeftAlone_AndTheConditionSaysWhy()
    {
        await using var scenario = await OperatorScenario.StartAsync();
        await scenario.CreatePodAsync("demo-0", 7100, 7101);
        var theirs = await scenario.Kube.NetworkingV1.CreateNamespacedNetworkPolicyAsync(new V1NetworkPolicy
        {
            Metadata = new V1ObjectMeta { Name = PolicyName, NamespaceProperty = Ns },
            Spec = new V1NetworkPolicySpec { PodSelector = new V1LabelSelector(), PolicyTypes = ["Ingress"], Ingress = [new V1NetworkPolicyIngressRule()] },
        }, Ns);
        await scenario.StartOperatorAsync(OperatorFlags);
        await scenario.CreateMeshAsync("demo");

        var taken = await WaitForConditionAsync(scenario, ConditionStatus.False, "NameTaken");
        Assert.Contains(PolicyName, taken.Message, StringComparison.Ordinal);
        Assert.Equal(theirs.Metadata.ResourceVersion, (await ReadAsync(scenario)).Metadata.ResourceVersion);
    }

    [Fact]
    public async Task OperatorWithPoliciesOff_NeverTouchesNetworkPolicies_AndTheMeshSaysSo()
    {
        await using var scenario = await OperatorScenario.StartAsync();
        await scenario.CreatePodAsync("demo-0", 7100, 7101);
        await scenario.StartOperatorAsync("--network-policies=false");
        await scenario.CreateMeshAsync("demo");

        var off = await WaitForConditionAsync(scenario, ConditionStatus.False, "OperatorDisabled");
        Assert.Contains("--network-policies=false", off.Message, StringComparison.Ordinal);
        Assert.Null(await TryReadAsync(scenario));
        Assert.DoesNotContain(scenario.Api.Requests, r => r.Resource == "networkpolicies" && r.UserAgent.Contains("k8srepl-operator", StringComparison.Ordinal));
    }

    private static bool Admits(V1NetworkPolicy policy, Dictionary<string, string> source, int port, string ns = Ns) =>
        IngressEvaluator.Admits([policy], Ns, Member, new Connection(ns, source, "TCP", port));

    private static Task<V1NetworkPolicy> ReadAsync(OperatorScenario scenario) =>
        scenario.Kube.NetworkingV1.ReadNamespacedNetworkPolicyAsync(PolicyName, Ns);

    private static Task<V1NetworkPolicy?> TryReadAsync(OperatorScenario scenario) => ReadAsync(scenario).NullWhenNotFound();

    private static async Task<V1NetworkPolicy> WaitForPolicyAsync(OperatorScenario scenario, Func<V1NetworkPolicy, bool> accept, string because) =>
        (await Eventually.ValueAsync(() => TryReadAsync(scenario), p => p is not null && accept(p), Deadline, because))!;

    private static async Task<MeshCondition> WaitForConditionAsync(OperatorScenario scenario, ConditionStatus status, string reason)
    {
        var mesh = await scenario.WaitForMeshAsync("demo", m => OperatorScenario.Condition(m, ConditionTypes.NetworkPolicyReady) is { } c
            && c.Status == status && c.Reason == reason, $"NetworkPolicyReady {status} {reason}");
        return OperatorScenario.Condition(mesh, ConditionTypes.NetworkPolicyReady)!;
    }
}
