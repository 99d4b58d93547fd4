using System.Text.Json.Nodes;
using K8sReplication.Packaging.Tests.Tools;

namespace K8sReplication.Packaging.Tests.Chart;

public sealed class HelmLintAndTemplateTests
{
    public static TheoryData<string> ValuesVariants => new() { "defaults", "all-features", "namespace-scope" };

    private static string[] ValuesArgs(string variant) => variant switch
    {
        "defaults" => [],
        "all-features" => ["-f", ChartFiles.AllFeaturesValues],
        "namespace-scope" => ["-f", ChartFiles.NamespaceScopeValues],
        _ => throw new ArgumentOutOfRangeException(nameof(variant)),
    };

    [Theory]
    [MemberData(nameof(ValuesVariants))]
    public async Task HelmLintStrict_Passes(string variant)
    {
        string[] args = ["lint", "--strict", ChartFiles.ChartDir, .. ValuesArgs(variant)];
        var result = await ExternalTool.Helm.RunAsync(args);
        result.EnsureSuccess();
        Assert.Contains("0 chart(s) failed", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Template_DefaultValues_RendersOnlyTheCoreObjects_WatchingOnlyTheReleaseNamespaceWithARole()
    {
        var objects = await ChartFiles.RenderAsync();
        var kinds = objects.Select(o => o.Kind()).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["Deployment", "Role", "RoleBinding", "Service", "ServiceAccount"], kinds);
        Assert.Equal(ChartFiles.Namespace, (string?)objects.OnlyOne("Role")["metadata"]!["namespace"]);
        var binding = objects.OnlyOne("RoleBinding");
        Assert.Equal(ChartFiles.Namespace, (string?)binding["metadata"]!["namespace"]);
        Assert.Equal("Role", (string?)binding["roleRef"]!["kind"]);
        var args = OperatorArgs(objects);
        Assert.Equal(ChartFiles.Namespace, args[args.IndexOf("--namespace") + 1]);
        Assert.DoesNotContain("--all-namespaces", args);
        Assert.DoesNotContain("--leader-elect", args);
    }

    [Fact]
    public async Task Template_ClusterScopeOptIn_UsesAClusterRoleAndWatchesAllNamespaces()
    {
        var objects = await ChartFiles.RenderAsync("--set", "watch.scope=cluster");
        var kinds = objects.Select(o => o.Kind()).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["ClusterRole", "ClusterRoleBinding", "Deployment", "Service", "ServiceAccount"], kinds);
        Assert.Equal("ClusterRole", (string?)objects.OnlyOne("ClusterRoleBinding")["roleRef"]!["kind"]);
        var args = OperatorArgs(objects);
        Assert.Contains("--all-namespaces", args);
        Assert.DoesNotContain("--namespace", args);
    }

    [Fact]
    public async Task Template_AllFeatures_RendersEveryOptionalObject()
    {
        var objects = await ChartFiles.RenderAsync("-f", ChartFiles.AllFeaturesValues);
        objects.OnlyOne("ServiceMonitor");
        objects.OnlyOne("PodDisruptionBudget");
        var dashboard = objects.OnlyOne("ConfigMap", "-dashboard");
        Assert.Equal("1", (string?)dashboard["metadata"]!["labels"]!["grafana_dashboard"]);
        Assert.NotNull(JsonNode.Parse((string)dashboard["data"]!["k8s-replication.json"]!));
        var lease = objects.OnlyOne("Role", "-leader-election");
        Assert.Equal(ChartFiles.Namespace, (string?)lease["metadata"]!["namespace"]);
        objects.OnlyOne("RoleBinding", "-leader-election");

        var deployment = objects.OnlyOne("Deployment");
        Assert.Equal(2, (long)deployment["spec"]!["replicas"]!);
        var args = OperatorArgs(objects);
        Assert.Equal(ChartFiles.Namespace, args[args.IndexOf("--lease-namespace") + 1]);
        Assert.Contains("--leader-elect", args);
        Assert.Equal("45s", args[args.IndexOf("--resync") + 1]);
        Assert.Equal("8", args[args.IndexOf("--max-concurrent-reconciles") + 1]);
        objects.OnlyOne("MutatingWebhookConfiguration");
        objects.OnlyOne("Service", "-webhook");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Template_MoreThanOneReplica_TurnsLeaderElectionOn(int replicas)
    {
        var objects = await ChartFiles.RenderAsync("--set", $"replicaCount={replicas}");
        Assert.Contains("--leader-elect", OperatorArgs(objects));
        objects.OnlyOne("Role", "-leader-election");
    }

    [Fact]
    public async Task Template_NamespaceScope_UsesARoleInTheWatchedNamespaceAndNoClusterRole()
    {
        var objects = await ChartFiles.RenderAsync("-f", ChartFiles.NamespaceScopeValues);
        Assert.DoesNotContain(objects, o => o.Kind() is "ClusterRole" or "ClusterRoleBinding");
        var role = objects.OnlyOne("Role", "k8s-replication");
        Assert.Equal("apps", (string?)role["metadata"]!["namespace"]);
        var args = OperatorArgs(objects);
        Assert.Equal("apps", args[args.IndexOf("--namespace") + 1]);
        Assert.DoesNotContain("--all-namespaces", args);
        Assert.Contains("--leader-elect", args);
    }

    [Fact]
    public async Task Template_ServiceMonitorWithoutMetricsService_FailsWithAClearMessage()
    {
        var result = await ExternalTool.Helm.RunAsync(["template", "r", ChartFiles.ChartDir,
            "--set", "metrics.serviceMonitor.enabled=true", "--set", "metrics.service.enabled=false"]);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("metrics.serviceMonitor.enabled needs metrics.service.enabled", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chart_HasVersionAndAppVersion_AndTheDeploymentUsesAppVersionAsImageTag()
    {
        var chart = Yaml.LoadFile(Path.Combine(ChartFiles.ChartDir, "Chart.yaml"))[0];
        Assert.Equal("v2", (string?)chart["apiVersion"]);
        Assert.Matches(@"^\d+\.\d+\.\d+$", (string?)chart["version"]);
        var appVersion = (string?)chart["appVersion"];
        Assert.Matches(@"^\d+\.\d+\.\d+$", appVersion);
        var deployment = (await ChartFiles.RenderAsync()).OnlyOne("Deployment");
        var image = (string?)deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["image"];
        Assert.EndsWith($":{appVersion}", image, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Notes_TellTheUserWhatToDoNext()
    {
        // `helm install --dry-run=client` renders NOTES.txt without a cluster.
        var result = (await ExternalTool.Helm.RunAsync(["install", ChartFiles.Release, ChartFiles.ChartDir,
            "--namespace", ChartFiles.Namespace, "--dry-run=client"])).EnsureSuccess();
        var notes = result.Stdout[result.Stdout.IndexOf("NOTES:", StringComparison.Ordinal)..];
        Assert.Contains("kind: ReplicationMesh", notes, StringComparison.Ordinal);
        Assert.Contains("get rmesh", notes, StringComparison.Ordinal);
        Assert.Contains("restartPolicy: Always", notes, StringComparison.Ordinal);
        Assert.Contains("ghcr.io/k8srepl/k8srepl-sidecar:", notes, StringComparison.Ordinal);
        Assert.Contains("/etc/k8srepl/config/$(POD_NAME).json", notes, StringComparison.Ordinal);
        Assert.Contains("-sidecar-config", notes, StringComparison.Ordinal);
        Assert.Contains("rollout status deployment/k8srepl-k8s-replication", notes, StringComparison.Ordinal);
        Assert.Contains("label secret <token-secret> replication.k8srepl.dev/mesh-auth=true", notes, StringComparison.Ordinal);
        Assert.Contains($"in namespace \"{ChartFiles.Namespace}\" only", notes, StringComparison.Ordinal);

        var all = (await ExternalTool.Helm.RunAsync(["install", ChartFiles.Release, ChartFiles.ChartDir, "--namespace", ChartFiles.Namespace,
            "--dry-run=client", "-f", ChartFiles.AllFeaturesValues])).EnsureSuccess().Stdout;
        var allNotes = all[all.IndexOf("NOTES:", StringComparison.Ordinal)..];
        Assert.Contains("Leader election is on (2 replicas", allNotes, StringComparison.Ordinal);
        Assert.Contains("ServiceMonitor", allNotes, StringComparison.Ordinal);
        Assert.Contains("Grafana dashboard", allNotes, StringComparison.Ordinal);
    }

    internal static List<string> OperatorArgs(IEnumerable<JsonObject> objects)
    {
        var deployment = objects.OnlyOne("Deployment");
        return [.. deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["args"].Strings()];
    }
}
