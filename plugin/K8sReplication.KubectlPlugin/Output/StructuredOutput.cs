using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using YamlDotNet.RepresentationModel;

namespace K8sReplication.KubectlPlugin.Output;

/// <summary>
/// <c>-o json</c> and <c>-o yaml</c>: the command's data, serialized once to JSON (camelCase, source-generated) and
/// converted node by node to YAML, so both formats always carry the same fields.
/// </summary>
internal static class StructuredOutput
{
    public static string Json<T>(T value, JsonTypeInfo<T> type) => JsonSerializer.Serialize(value, type) + "\n";

    public static string Yaml<T>(T value, JsonTypeInfo<T> type)
    {
        var node = JsonSerializer.SerializeToNode(value, type);
        using var writer = new StringWriter();
        new YamlStream(new YamlDocument(ToYaml(node))).Save(writer, assignAnchors: false);
        var text = writer.ToString();

        // YamlStream ends a document with "...": drop it, as kubectl prints a single document.
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text;
    }

    private static YamlNode ToYaml(JsonNode? node) => node switch
    {
        null => new YamlScalarNode("null") { Style = YamlDotNet.Core.ScalarStyle.Plain },
        JsonObject o => new YamlMappingNode(o.Select(p => new KeyValuePair<YamlNode, YamlNode>(new YamlScalarNode(p.Key), ToYaml(p.Value)))),
        JsonArray a => new YamlSequenceNode(a.Select(ToYaml)),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => new YamlScalarNode(v.GetValue<string>()) { Style = YamlDotNet.Core.ScalarStyle.DoubleQuoted },
        _ => new YamlScalarNode(node.ToJsonString()) { Style = YamlDotNet.Core.ScalarStyle.Plain },
    };
}
