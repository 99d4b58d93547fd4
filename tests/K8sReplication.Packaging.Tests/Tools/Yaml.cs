using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace K8sReplication.Packaging.Tests.Tools;

/// <summary>
/// Multi-document YAML to JSON nodes (plain scalars typed as the YAML 1.2 core schema would, except that a plain
/// integer with a leading zero is octal, as Kubernetes' YAML 1.1 parser reads file modes such as <c>defaultMode: 0400</c>).
/// </summary>
public static class Yaml
{
    public static IReadOnlyList<JsonObject> LoadObjects(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return [.. stream.Documents
            .Where(d => d.RootNode is YamlMappingNode)
            .Select(d => (JsonObject)Convert(d.RootNode)!)];
    }

    public static IReadOnlyList<JsonObject> LoadFile(string path) => LoadObjects(File.ReadAllText(path));

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv =>
            KeyValuePair.Create(((YamlScalarNode)kv.Key).Value ?? "", Convert(kv.Value)))),
        YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(Convert)]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new InvalidOperationException($"unsupported YAML node {node.NodeType}"),
    };

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.Plain)
        {
            if (value is "" or "null" or "~")
            {
                return null;
            }

            if (value is "true" or "false")
            {
                return JsonValue.Create(value == "true");
            }

            if (value.Length > 1 && value[0] == '0' && value.All(c => c is >= '0' and <= '7'))
            {
                return JsonValue.Create(System.Convert.ToInt64(value, 8));
            }

            if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
            {
                return JsonValue.Create(number);
            }
        }

        return JsonValue.Create(value);
    }
}
