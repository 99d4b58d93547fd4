using System.Text.Json;
using k8s;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Json;
using K8sReplication.Contracts.Mesh;
using K8sReplication.Kube.Client;
using K8sReplication.Operator.Mesh;
using K8sReplication.TestKit;

namespace K8sReplication.Operator.Tests.Integration;

/// <summary>
/// The operator sends a mesh's token to every pod the mesh selects, so it only uses a Secret that opted in with the
/// mesh-auth label: the real operator against the emulator, a real sidecar and a pod that records what it receives.
/// </summary>
public sealed class AuthSecretOptInTests
{
    private static readonly TimeSpan Deadline = OperatorScenario.Deadline;

    [Fact]
    public async Task UnlabelledAuthSecret_IsRefused_NothingReachesThePods_OnceLabelled_TheTokenIsUsedAndTheMeshSettles()
    {
        const string secret = "not-opted-in";
        await using var scenario = await OperatorScenario.StartAsync();
        // The same token the sidecar accepts: had the operator used this Secret, the sidecar would have taken its config.
        await scenario.CreateSecretAsync(secret, OperatorScenario.Token, optedIn: false);
        var member = await scenario.AddMemberAsync("demo-0");
        await using var spy = await RecordingMember.StartAsync();
        await scenario.CreatePodAsync("spy-0", spy.Port, spy.Port);
        await scenario.StartOperatorAsync();
        await scenario.CreateMeshAsync("demo", OperatorScenario.Spec() with { AuthSecretRef = new SecretReference { Name = secret } });

        var refused = await scenario.WaitForMeshAsync("demo",
            m => OperatorScenario.Condition(m, ConditionTypes.ConfigApplied)?.Reason == ConditionReasons.AuthSecretNotLabelled,
            "ConfigApplied to report the unlabelled Secret");
        var applied = OperatorScenario.Condition(refused, ConditionTypes.ConfigApplied)!;
        Assert.Equal(ConditionStatus.False, applied.Status);
        Assert.Contains($"Secret {secret}", applied.Message, StringComparison.Ordinal);
        Assert.Contains($"{Labels.MeshAuthSecret}={Labels.MeshAuthSecretValue}", applied.Message, StringComparison.Ordinal);
        var degraded = OperatorScenario.Condition(refused, ConditionTypes.Degraded)!;
        Assert.Equal((ConditionStatus.True, ConditionReasons.AuthSecretNotLabelled), (degraded.Status, degraded.Reason));
        Assert.Equal(["demo-0", "spy-0"], refused.Status!.Members!.Select(m => m.Pod));
        Assert.All(refused.Status.Members!, m => Assert.Equal(MemberObservation.NotContactedState, m.State));

        // Every reconcile reads the Secret before deciding; let a few more pass, then nothing may have reached a pod.
        var readsBefore = SecretReads(scenario, secret);
        await Eventually.TrueAsync(() => SecretReads(scenario, secret) >= readsBefore + 3, Deadline, "three more reconciles of the refused mesh");
        Assert.Empty(spy.Calls);
        Assert.Equal(0, (await HealthAsync(member)).ConfigGeneration);
        Assert.Null(await scenario.Kube.CoreV1.ReadNamespacedConfigMapAsync(MeshResource.ConfigMapName("demo"), OperatorScenario.Namespace).NullWhenNotFound());
        var events = await scenario.ListEventsAsync();
        Assert.Contains(events, e => e.Reason == ConditionReasons.AuthSecretNotLabelled && e.Type == "Warning"
            && e.Regarding?.Name == "demo" && e.Note?.Contains(secret, StringComparison.Ordinal) == true);

        // The Secret's owner opts it in: the token now reaches the pods, and the mesh works.
        await scenario.Kube.CoreV1.PatchNamespacedSecretAsync(
            OperatorScenario.MergePatch(new { metadata = new { labels = new Dictionary<string, string> { [Labels.MeshAuthSecret] = Labels.MeshAuthSecretValue } } }),
            secret, OperatorScenario.Namespace);
        await Eventually.TrueAsync(() => spy.Calls.Any(c => c.Authorization == $"Bearer {OperatorScenario.Token}"), Deadline,
            "the labelled Secret's token to be sent to the pods");
        await scenario.Kube.CoreV1.DeleteNamespacedPodAsync("spy-0", OperatorScenario.Namespace);
        var settled = await scenario.WaitForMeshAsync("demo", m => OperatorScenario.Settled(m, 1), "the mesh to settle with the opted-in Secret");
        Assert.Equal(settled.Status!.ConfigGeneration, (await HealthAsync(member)).ConfigGeneration);
    }

    [Fact]
    public async Task OptedInSecret_IsReadFromTheInformerCache_NotByNameOnEveryReconcile_AndARotatedTokenReachesThePods()
    {
        await using var scenario = await OperatorScenario.StartAsync();
        await using var spy = await RecordingMember.StartAsync();
        await scenario.CreatePodAsync("spy-0", spy.Port, spy.Port);
        await scenario.StartOperatorAsync();
        await scenario.CreateMeshAsync("demo");
        await Eventually.TrueAsync(() => spy.Calls.Any(c => c.Authorization == $"Bearer {OperatorScenario.Token}"), Deadline,
            "the opted-in Secret's token to reach the pod");

        // The spy never settles, so the mesh is reconciled about every second: none of those reconciles reads the Secret.
        var seen = spy.Calls.Count;
        await Eventually.TrueAsync(() => spy.Calls.Count >= seen + 3, Deadline, "three more reconciles");
        Assert.Equal(0, SecretReads(scenario, OperatorScenario.SecretName));
        Assert.Contains(scenario.Api.Requests, r => r.UserAgent.Contains("k8srepl-operator", StringComparison.Ordinal)
            && r.Verb == "watch" && r.Resource == "secrets");

        // The owner rotates the token: the informer sees it and the next calls carry the new one.
        await scenario.Kube.CoreV1.PatchNamespacedSecretAsync(
            OperatorScenario.MergePatch(new { stringData = new Dictionary<string, string> { [WellKnown.TokenSecretKey] = "rotated-token" } }),
            OperatorScenario.SecretName, OperatorScenario.Namespace);
        await Eventually.TrueAsync(() => spy.Calls.Any(c => c.Authorization == "Bearer rotated-token"), Deadline, "the rotated token to reach the pod");
        Assert.Equal(0, SecretReads(scenario, OperatorScenario.SecretName));
    }

    private static int SecretReads(OperatorScenario scenario, string secret) =>
        scenario.Api.Requests.Count(r => r.UserAgent.Contains("k8srepl-operator", StringComparison.Ordinal)
            && r.Verb == "get" && r.Resource == "secrets" && r.Name == secret);

    private static async Task<Contracts.Health.SidecarHealth> HealthAsync(MemberNode member)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(member.Process.AdminUrl, Paths.Status));
        request.Headers.Authorization = new("Bearer", OperatorScenario.Token);
        using var response = await http.SendAsync(request);
        return JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(), ContractsJsonContext.Default.SidecarHealth)!;
    }
}
