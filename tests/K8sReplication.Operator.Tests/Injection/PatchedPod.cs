using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace K8sReplication.Operator.Tests.Injection;

/// <summary>Applies the injector's JSON patch (its "add" operations: a member, or an item appended with "-") to a pod.</summary>
internal static class PatchedPod
{
    public static V1Pod Apply(V1Pod pod, JsonArray patch)
    {
        var document = JsonNode.Parse(KubernetesJson.Serialize(pod))!;
        foreach (var operation in patch.Select(o => o!.AsObject()))
        {
            Assert.Equal("add", (string?)operation["op"]);
            var segments = ((string)operation["path"]!).Split('/')[1..].Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
            var parent = segments[..^1].Aggregate(document, (node, segment) => node is JsonArray array ? array[int.Parse(segment, System.Globalization.CultureInfo.InvariantCulture)]! : node[segment]!);
            var value = operation["value"]?.DeepClone();
            if (parent is JsonArray list)
            {
                Assert.Equal("-", segments[^1]);
                list.Add(value);
            }
            else
            {
                Assert.False(parent.AsObject().ContainsKey(segments[^1]), $"add {operation["path"]} would replace a member");
                parent[segments[^1]] = value;
            }
        }

        return KubernetesJson.Deserialize<V1Pod>(document.ToJsonString());
    }
}
