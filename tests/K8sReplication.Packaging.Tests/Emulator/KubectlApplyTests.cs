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
}
