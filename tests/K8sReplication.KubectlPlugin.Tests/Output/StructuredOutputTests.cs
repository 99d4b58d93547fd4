using System.Text.Json;
using K8sReplication.KubectlPlugin.Output;
using K8sReplication.KubectlPlugin.Status;

namespace K8sReplication.KubectlPlugin.Tests.Output;

public sealed class StructuredOutputTests
{
    private static readonly StatusReport Report = new()
    {
        Mesh = "demo",
        Namespace = "default",
        Paused = true,
        Members = [new MemberStatus { Pod = "demo-0", Ready = true, LagSeconds = 0.5, Rows = 3, Schema = "0123abcd" }],
    };

    [Fact]
    public void Json_IsCamelCase_WithoutNulls()
    {
        using var document = JsonDocument.Parse(StructuredOutput.Json(Report, PluginJsonContext.Default.StatusReport));

        var member = document.RootElement.GetProperty("members")[0];
        Assert.Equal("demo-0", member.GetProperty("pod").GetString());
        Assert.False(member.TryGetProperty("error", out _));
        Assert.True(document.RootElement.GetProperty("paused").GetBoolean());
    }

    [Fact]
    public void Yaml_CarriesTheSameFields_StringsQuoted()
    {
        var yaml = StructuredOutput.Yaml(Report, PluginJsonContext.Default.StatusReport);

        Assert.Contains("mesh: \"demo\"", yaml);
        Assert.Contains("paused: true", yaml);
        Assert.Contains("- pod: \"demo-0\"", yaml);
        Assert.Contains("lagSeconds: 0.5", yaml);
        Assert.Contains("schema: \"0123abcd\"", yaml);
        Assert.DoesNotContain("...", yaml);
    }
}
