using System.Text.Json.Nodes;
using K8sReplication.Operator.Crd;
using K8sReplication.TestKit;

namespace K8sReplication.Operator.Tests.Crd;

public sealed class ReplicationMeshCrdTests
{
    private const string CommittedPath = "crds/replicationmeshes.replication.k8srepl.dev.yaml";

    [Fact]
    public void CommittedCrd_EqualsTheOneGeneratedFromTheTypes()
    {
        var committed = File.ReadAllText(Path.Combine(RepoPaths.Root, CommittedPath));

        var generated = CrdCommand.Render();

        Assert.True(committed == generated,
            $"{CommittedPath} is stale: run `dotnet run --project operator/K8sReplication.Operator -- crd > {CommittedPath}`");
    }

    [Fact]
    public void Schema_CarriesValidationAndDefaultsFromAttributes()
    {
        var spec = SpecSchema();

        var port = spec["properties"]!["replicationPort"]!;
        Assert.Equal(1, port["minimum"]!.GetValue<long>());
        Assert.Equal(65535, port["maximum"]!.GetValue<long>());
        Assert.Equal(8900, port["default"]!.GetValue<int>());
        Assert.Equal("^([0-9]+(ms|s|m|h))+$", spec["properties"]!["antiEntropy"]!["properties"]!["interval"]!["pattern"]!.GetValue<string>());
        Assert.Equal(["selector"], spec["required"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("self == oldSelf", spec["properties"]!["database"]!["properties"]!["path"]!["x-kubernetes-validations"]![0]!["rule"]!.GetValue<string>());
    }

    [Fact]
    public void Schema_IsStructural_NoUnionTypesOrRefs()
    {
        var text = Crd().ToJsonString();

        Assert.DoesNotContain("\"$ref\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"null\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"type\":[", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Crd_HasPrinterColumnsShortNameCategoryAndStatusSubresource()
    {
        var version = Crd()["spec"]!["versions"]![0]!;

        var columns = version["additionalPrinterColumns"]!.AsArray().Select(c => c!["name"]!.GetValue<string>());
        Assert.Equal(["Members", "Ready", "Converged", "Max-Lag", "Age"], columns);
        Assert.NotNull(version["subresources"]!["status"]);
        Assert.Equal("rmesh", Crd()["spec"]!["names"]!["shortNames"]![0]!.GetValue<string>());
        Assert.Equal("k8srepl", Crd()["spec"]!["names"]!["categories"]![0]!.GetValue<string>());
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("true", "\"true\"")]
    [InlineData("30s", "\"30s\"")]
    [InlineData("a: b", "\"a: b\"")]
    [InlineData("say \"hi\"\n", "\"say \\\"hi\\\"\\n\"")]
    [InlineData("", "\"\"")]
    public void YamlWriter_QuotesScalarsYamlWouldMisread(string value, string expected)
    {
        var yaml = YamlWriter.Write(new JsonObject { ["k"] = value });

        Assert.Equal($"k: {expected}\n", yaml);
    }

    private static JsonObject Crd() => ReplicationMeshCrd.Build();

    private static JsonNode SpecSchema() =>
        Crd()["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!["properties"]!["spec"]!;
}
