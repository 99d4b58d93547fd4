using System.Text.Json.Nodes;
using K8sReplication.Packaging.Tests.Chart;
using K8sReplication.Packaging.Tests.Tools;
using K8sReplication.TestKit;

namespace K8sReplication.Packaging.Tests.Emulator;

public sealed class KubectlApplyTests(EmulatorCluster cluster) : IClassFixture<EmulatorCluster>
{
    private static string Example(string file) => Path.Combine(RepoPaths.Root, "examples", "sqlite-app", file);

    [Fact]
    public async Task ChartCrd_IsEstablishedAndServesTheMeshKind()
    {
        var resources = await cluster.KubectlAsync("api-resources", "--api-group", "replication.k8srepl.dev", "-o", "name");
        Assert.Contains("replicationmeshes.replication.k8srepl.dev", resources, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("defaults")]
    [InlineData("all-features")]
    [InlineData("namespace-scope")]
    public async Task EveryObjectTheChartRenders_IsAcceptedByKubectlApply(string variant)
    {
        string[] args = variant switch
        {
            "all-features" => ["-f", ChartFiles.AllFeaturesValues],
            "namespace-scope" => ["-f", ChartFiles.NamespaceScopeValues],
            _ => [],
        };
        var manifest = await ChartFiles.TemplateReleaseAsync($"rel-{variant}", args);
        var rendered = Yaml.LoadObjects(manifest);
        var output = await cluster.ApplyAsync(manifest);

        foreach (var o in rendered)
        {
            Assert.Contains($"/{o.Name()} created", output, StringComparison.Ordinal);
        }

        // Read every object back: it was stored, not just answered.
        var file = Path.Combine(Path.GetTempPath(), $"k8srepl-rendered-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, manifest);
        try
        {
            var names = await cluster.KubectlAsync("get", "-f", file, "-o", "name");
            Assert.Equal(rendered.Count, names.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task NativeSidecarExample_IsAcceptedAndKeepsRestartPolicyAlways()
    {
        const string ns = "example-native";
        var output = await cluster.KubectlAsync("apply", "-n", ns, "-k", Path.Combine(RepoPaths.Root, "examples", "sqlite-app"));
        foreach (var expected in new[] { "secret/sqlite-app-replication-token", "service/sqlite-app", "statefulset.apps/sqlite-app", "replicationmesh.replication.k8srepl.dev/sqlite-app" })
        {
            Assert.Contains($"{expected} created", output, StringComparison.Ordinal);
        }

        var sts = JsonNode.Parse(await cluster.KubectlAsync("get", "-n", ns, "statefulset", "sqlite-app", "-o", "json"))!;
        var sidecar = ((JsonObject)sts["spec"]!["template"]!["spec"]!).Container("k8srepl-sidecar");
        Assert.Equal("Always", (string?)sidecar["restartPolicy"]);
        // As the API server stores it: 0400 in the manifest is the octal file mode, 256.
        var token = ((JsonObject)sts["spec"]!["template"]!["spec"]!)["volumes"].Items().Single(v => (string?)v["name"] == "k8srepl-token");
        Assert.Equal(256, (int)token["secret"]!["defaultMode"]!);

        var meshes = await cluster.KubectlAsync("get", "-n", ns, "rmesh");
        Assert.Contains("MEMBERS", meshes, StringComparison.Ordinal);
        Assert.Contains("sqlite-app", meshes, StringComparison.Ordinal);

        // The CRD's defaults were applied by the server: the mesh as stored is complete.
        var mesh = JsonNode.Parse(await cluster.KubectlAsync("get", "-n", ns, "rmesh", "sqlite-app", "-o", "json"))!;
        Assert.Equal(8900, (int)mesh["spec"]!["replicationPort"]!);
        Assert.Equal("FullMesh", (string?)mesh["spec"]!["topology"]!["type"]);
    }

    [Fact]
    public async Task ExampleWithoutNativeSidecars_IsAccepted()
    {
        const string ns = "example-classic";
        var output = await cluster.KubectlAsync("apply", "-n", ns,
            "-f", Example("secret.yaml"), "-f", Example("service.yaml"),
            "-f", Example("statefulset-without-native-sidecars.yaml"), "-f", Example("replicationmesh.yaml"));
        Assert.Contains("statefulset.apps/sqlite-app created", output, StringComparison.Ordinal);
        Assert.Contains("replicationmesh.replication.k8srepl.dev/sqlite-app created", output, StringComparison.Ordinal);

        var sts = JsonNode.Parse(await cluster.KubectlAsync("get", "-n", ns, "statefulset", "sqlite-app", "-o", "json"))!;
        var containers = sts["spec"]!["template"]!["spec"]!["containers"].Items().Select(c => (string?)c["name"]);
        Assert.Contains("k8srepl-sidecar", containers);
    }

    [Theory]
    [InlineData("transport: redis", "hotPath.redis is required when hotPath.transport is redis")]
    [InlineData("redis: {url: \"redis://r:6379\"}", "hotPath.redis is only used when hotPath.transport is redis")]
    [InlineData("transport: redis\n    redis: {url: \"redis://app:s3cret@r:6379\"}", "hotPath.redis.url must not carry a password")]
    [InlineData("transport: redis\n    redis: {url: \"http://r:6379\"}", "spec.hotPath.redis.url")]
    [InlineData("transport: kafka", "spec.hotPath.transport")]
    [InlineData("transport: redis\n    redis: {url: \"redis://r:6379\", streamMaxLen: 10}", "spec.hotPath.redis.streamMaxLen")]
    public async Task RedisTransportMesh_BadSpec_IsRefusedNamingTheField(string hotPath, string expected)
    {
        var result = await ApplyMeshAsync("bad-redis", hotPath);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedisTransportMesh_IsAccepted_WithTheUserInTheUrlAndThePasswordInASecret()
    {
        var result = await ApplyMeshAsync("good-redis",
            "transport: redis\n    redis: {url: \"rediss://app@redis.shop:6380/1\", secretRef: {name: redis-auth}, keyPrefix: \"edge:\", streamMaxLen: 50000}");
        Assert.True(result.ExitCode == 0, result.Stderr);
        var mesh = JsonNode.Parse(await cluster.KubectlAsync("get", "-n", "default", "rmesh", "good-redis", "-o", "json"))!;
        Assert.Equal("redis", (string?)mesh["spec"]!["hotPath"]!["transport"]);
        Assert.Equal(50000, (int)mesh["spec"]!["hotPath"]!["redis"]!["streamMaxLen"]!);
    }

    private async Task<K8sReplication.TestKit.Processes.ProcessExit> ApplyMeshAsync(string name, string hotPath)
    {
        var manifest = $$"""
            apiVersion: replication.k8srepl.dev/v1alpha1
            kind: ReplicationMesh
            metadata:
              name: {{name}}
              namespace: default
            spec:
              selector:
                matchLabels:
                  app: {{name}}
              hotPath:
                {{hotPath}}
            """;
        var file = Path.Combine(Path.GetTempPath(), $"k8srepl-mesh-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, manifest);
        try
        {
            return await K8sReplication.TestKit.Tools.ExternalTool.Kubectl.RunAsync(["--kubeconfig", cluster.Kubeconfig, "apply", "-f", file]);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
