using System.Text.Json.Nodes;
using K8sReplication.Packaging.Tests.Tools;

namespace K8sReplication.Packaging.Tests.Chart;

public sealed class RenderedObjectTests
{
    private static readonly string[] RecommendedLabels =
    [
        "app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/version",
        "app.kubernetes.io/component", "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by", "helm.sh/chart",
    ];

    [Fact]
    public async Task EveryRenderedObject_CarriesTheRecommendedLabels()
    {
        var objects = await ChartFiles.RenderAsync("-f", ChartFiles.AllFeaturesValues);
        foreach (var o in objects)
        {
            var labels = o["metadata"]!["labels"] as JsonObject;
            foreach (var label in RecommendedLabels)
            {
                Assert.True(labels?.ContainsKey(label) == true, $"{o.Kind()} {o.Name()} lacks label {label}");
            }

            Assert.Equal(ChartFiles.Release, (string?)labels!["app.kubernetes.io/instance"]);
            Assert.Equal("Helm", (string?)labels["app.kubernetes.io/managed-by"]);
        }

        var podLabels = (JsonObject)objects.OnlyOne("Deployment")["spec"]!["template"]!["metadata"]!["labels"]!;
        Assert.Equal("k8s-replication", (string?)podLabels["app.kubernetes.io/name"]);
    }

    [Fact]
    public async Task Deployment_RunsNonRootWithAReadOnlyRootFilesystemAndNoCapabilities()
    {
        var pod = PodSpec(await ChartFiles.RenderAsync());
        Assert.Equal(true, (bool?)pod["securityContext"]!["runAsNonRoot"]);
        Assert.Equal("RuntimeDefault", (string?)pod["securityContext"]!["seccompProfile"]!["type"]);
        var container = (JsonObject)pod["containers"]![0]!;
        var security = container["securityContext"]!;
        Assert.Equal(true, (bool?)security["runAsNonRoot"]);
        Assert.Equal(true, (bool?)security["readOnlyRootFilesystem"]);
        Assert.Equal(false, (bool?)security["allowPrivilegeEscalation"]);
        Assert.Equal(["ALL"], security["capabilities"]!["drop"].Strings());
        Assert.Equal("RuntimeDefault", (string?)security["seccompProfile"]!["type"]);
        Assert.Equal(true, (bool?)pod["automountServiceAccountToken"]);
    }

    [Fact]
    public async Task Deployment_HasResourcesAndProbesOnTheHealthPort()
    {
        var objects = await ChartFiles.RenderAsync();
        var container = (JsonObject)PodSpec(objects)["containers"]![0]!;
        Assert.NotNull(container["resources"]!["requests"]!["cpu"]);
        Assert.NotNull(container["resources"]!["requests"]!["memory"]);
        Assert.NotNull(container["resources"]!["limits"]!["memory"]);

        Assert.Equal("/healthz", (string?)container["livenessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("/readyz", (string?)container["readinessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("/healthz", (string?)container["startupProbe"]!["httpGet"]!["path"]);
        foreach (var probe in new[] { "livenessProbe", "readinessProbe", "startupProbe" })
        {
            Assert.Equal("health", (string?)container[probe]!["httpGet"]!["port"]);
        }

        var ports = container["ports"].Items().ToDictionary(p => (string)p["name"]!, p => (long)p["containerPort"]!);
        var args = HelmLintAndTemplateTests.OperatorArgs(objects);
        Assert.Equal($"0.0.0.0:{ports["health"]}", args[args.IndexOf("--health-listen") + 1]);
        Assert.Equal($"0.0.0.0:{ports["metrics"]}", args[args.IndexOf("--metrics-listen") + 1]);

        var service = objects.OnlyOne("Service", "-metrics");
        Assert.Equal("metrics", (string?)service["spec"]!["ports"]![0]!["targetPort"]);
    }

    [Fact]
    public async Task OperatorArgs_UseOnlyTheOperatorsDocumentedFlags()
    {
        string[] known = ["--kubeconfig", "--namespace", "--all-namespaces", "--health-listen", "--metrics-listen",
            "--leader-elect", "--lease-namespace", "--resync", "--max-concurrent-reconciles",
            "--webhook-listen", "--webhook-configuration", "--webhook-service", "--webhook-service-namespace", "--webhook-secret",
            "--sidecar-image", "--sidecar-mode", "--sidecar-requests", "--sidecar-limits",
            "--network-policies", "--network-policy-operator-labels"];
        foreach (var variant in new[] { ChartFiles.AllFeaturesValues, ChartFiles.NamespaceScopeValues })
        {
            var args = HelmLintAndTemplateTests.OperatorArgs(await ChartFiles.RenderAsync("-f", variant));
            Assert.All(args.Where(a => a.StartsWith("--", StringComparison.Ordinal)), a => Assert.Contains(a.Split('=')[0], known));
        }
    }

    [Fact]
    public async Task NetworkPolicies_NameTheOperatorByItsPodLabels_OffMeansTheFlagAndNoRule()
    {
        var objects = await ChartFiles.RenderAsync();
        var args = HelmLintAndTemplateTests.OperatorArgs(objects);
        var podLabels = (JsonObject)objects.OnlyOne("Deployment")["spec"]!["template"]!["metadata"]!["labels"]!;
        var named = args[args.IndexOf("--network-policy-operator-labels") + 1].Split(',').Select(p => p.Split('=')).ToList();
        Assert.NotEmpty(named);
        Assert.All(named, kv => Assert.Equal(kv[1], (string?)podLabels[kv[0]]));
        Assert.DoesNotContain("--network-policies=false", args);
        var env = PodSpec(objects)["containers"]![0]!["env"]!.AsArray();
        Assert.Contains(env, e => (string?)e!["name"] == "POD_NAMESPACE" && (string?)e["valueFrom"]!["fieldRef"]!["fieldPath"] == "metadata.namespace");

        var off = await ChartFiles.RenderAsync("--set", "networkPolicy.enabled=false");
        var offArgs = HelmLintAndTemplateTests.OperatorArgs(off);
        Assert.Contains("--network-policies=false", offArgs);
        Assert.DoesNotContain("--network-policy-operator-labels", offArgs);
        Assert.DoesNotContain(off.Where(o => o.Kind() is "Role" or "ClusterRole").SelectMany(o => o["rules"].Items()),
            r => r["resources"]!.AsArray().Any(x => (string?)x == "networkpolicies"));
    }

    [Fact]
    public async Task ServiceMonitorAndPdb_SelectTheOperatorPods()
    {
        var objects = await ChartFiles.RenderAsync("-f", ChartFiles.AllFeaturesValues);
        var podLabels = (JsonObject)objects.OnlyOne("Deployment")["spec"]!["template"]!["metadata"]!["labels"]!;
        foreach (var selector in new[]
                 {
                     objects.OnlyOne("PodDisruptionBudget")["spec"]!["selector"]!["matchLabels"]!,
                     objects.OnlyOne("Service", "-metrics")["spec"]!["selector"]!,
                     objects.OnlyOne("Service", "-webhook")["spec"]!["selector"]!,
                 })
        {
            foreach (var (key, value) in (JsonObject)selector)
            {
                Assert.Equal((string?)value, (string?)podLabels[key]);
            }
        }

        var monitor = objects.OnlyOne("ServiceMonitor");
        var serviceLabels = (JsonObject)objects.OnlyOne("Service", "-metrics")["metadata"]!["labels"]!;
        foreach (var (key, value) in (JsonObject)monitor["spec"]!["selector"]!["matchLabels"]!)
        {
            Assert.Equal((string?)value, (string?)serviceLabels[key]);
        }

        Assert.Equal("metrics", (string?)monitor["spec"]!["endpoints"]![0]!["port"]);
        Assert.Equal("/metrics", (string?)monitor["spec"]!["endpoints"]![0]!["path"]);
    }

    [Fact]
    public void ChartCrd_IsByteIdenticalToTheGeneratedCrd()
    {
        const string file = "replicationmeshes.replication.k8srepl.dev.yaml";
        var generated = File.ReadAllBytes(Path.Combine(K8sReplication.TestKit.RepoPaths.Root, "crds", file));
        var packaged = File.ReadAllBytes(Path.Combine(ChartFiles.ChartDir, "crds", file));
        Assert.True(generated.AsSpan().SequenceEqual(packaged),
            $"charts/k8s-replication/crds/{file} differs from crds/{file}: copy the generated file into the chart");
        Assert.Equal([file], Directory.GetFiles(Path.Combine(ChartFiles.ChartDir, "crds")).Select(Path.GetFileName));
    }

    private static JsonObject PodSpec(IEnumerable<JsonObject> objects) =>
        (JsonObject)objects.OnlyOne("Deployment")["spec"]!["template"]!["spec"]!;
}
