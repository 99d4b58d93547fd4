using System.Text.Json.Nodes;

namespace K8sReplication.TestKit.Kube.Schema;

/// <summary>
/// Drops fields the structural schema does not declare (unless <c>x-kubernetes-preserve-unknown-fields</c>), and
/// reports their paths so strict field validation can reject them and warn mode can warn.
/// </summary>
internal static class SchemaPruner
{
    private static readonly HashSet<string> RootKeep = ["apiVersion", "kind", "metadata"];

    public static void PruneRoot(JsonObject obj, JsonObject? schema, List<string> pruned)
    {
        Walk(obj, schema, "", pruned, root: true);
    }

    private static bool Preserves(JsonObject schema) => schema["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() == true;

    private static void Walk(JsonNode? node, JsonObject? schema, string path, List<string> pruned, bool root = false)
    {
        if (node is null || schema is null || schema["x-kubernetes-int-or-string"]?.GetValue<bool>() == true)
        {
            return;
        }

        if (node is JsonObject obj)
        {
            var properties = schema["properties"] as JsonObject;
            var additional = schema["additionalProperties"];
            var embedded = schema["x-kubernetes-embedded-resource"]?.GetValue<bool>() == true;
            foreach (var (name, child) in obj.ToList())
            {
                var childPath = path.Length == 0 ? name : $"{path}.{name}";
                if (properties?[name] is JsonObject childSchema)
                {
                    if (!(root && name == "metadata"))
                    {
                        Walk(child, childSchema, childPath, pruned);
                    }
                }
                else if (additional is JsonObject additionalSchema)
                {
                    Walk(child, additionalSchema, childPath, pruned);
                }
                else if (additional is JsonValue v && v.TryGetValue<bool>(out var allowed) && allowed)
                {
                    // additionalProperties: true keeps every value as is.
                }
                else if ((root || embedded) && RootKeep.Contains(name))
                {
                    // apiVersion, kind and metadata are always kept at an object root.
                }
                else if (!Preserves(schema))
                {
                    obj.Remove(name);
                    pruned.Add(childPath);
                }
            }
        }
        else if (node is JsonArray array && schema["items"] is JsonObject items)
        {
            for (var i = 0; i < array.Count; i++)
            {
                Walk(array[i], items, $"{path}[{i}]", pruned);
            }
        }
    }
}
