using K8sReplication.Packaging.Tests.Tools;

namespace K8sReplication.Packaging.Tests.Chart;

public sealed class ValuesSchemaTests
{
    /// <summary>Values that break values.schema.json, and the path helm must name in its error.</summary>
    public static TheoryData<string, string> Violations => new()
    {
        { "replicaCount: two\n", "/replicaCount" },
        { "replicaCount: -1\n", "/replicaCount" },
        { "operator:\n  resync: soon\n", "/operator/resync" },
        { "operator:\n  maxConcurrentReconciles: 0\n", "/operator/maxConcurrentReconciles" },
        { "watch:\n  scope: everywhere\n", "/watch/scope" },
        { "metrics:\n  service:\n    port: 70000\n", "/metrics/service/port" },
        { "securityContext:\n  runAsNonRoot: false\n", "/securityContext/runAsNonRoot" },
        { "securityContext:\n  capabilities:\n    add: [NET_ADMIN]\n", "/securityContext/capabilities/add" },
        { "image:\n  pullPolicy: Sometimes\n", "/image/pullPolicy" },
        { "imageTypo:\n  repository: x\n", "imageTypo" },
        { "dashboard:\n  enabled: \"yes\"\n", "/dashboard/enabled" },
    };

    [Theory]
    [MemberData(nameof(Violations))]
    public async Task ValuesViolatingTheSchema_AreRejectedNamingTheField(string values, string field)
    {
        var file = Path.Combine(Path.GetTempPath(), $"k8srepl-bad-values-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, values);
        try
        {
            var template = await ExternalTool.Helm.RunAsync(["template", "r", ChartFiles.ChartDir, "-f", file]);
            Assert.NotEqual(0, template.ExitCode);
            Assert.Contains("schema", template.Stderr, StringComparison.OrdinalIgnoreCase);
            Assert.Contains(field, template.Stderr, StringComparison.Ordinal);

            var lint = await ExternalTool.Helm.RunAsync(["lint", "--strict", ChartFiles.ChartDir, "-f", file]);
            Assert.NotEqual(0, lint.ExitCode);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task EveryValueInValuesYaml_IsDescribedByTheSchema()
    {
        // The schema forbids unknown keys; a key in values.yaml the schema does not list would make the defaults fail,
        // so rendering the defaults proves the schema covers every default value.
        var result = await ExternalTool.Helm.RunAsync(["template", "r", ChartFiles.ChartDir]);
        result.EnsureSuccess();
        var schema = await File.ReadAllTextAsync(Path.Combine(ChartFiles.ChartDir, "values.schema.json"));
        Assert.Contains("\"additionalProperties\": false", schema, StringComparison.Ordinal);
    }
}
