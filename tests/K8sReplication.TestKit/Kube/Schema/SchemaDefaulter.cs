using System.Text.Json.Nodes;

namespace K8sReplication.TestKit.Kube.Schema;

/// <summary>Applies OpenAPI <c>default</c> values: only where the parent object exists and the field is absent, like the real server.</summary>
internal static class SchemaDefaulter
{
    public static void Apply(JsonNode? node, JsonObject? schema)
    {
        if (node is null || schema is null)
        {
            return;
        }

        if (node is JsonObject obj)
        {
            if (schema["properties"] is JsonObject properties)
            {
                foreach (var (name, propertySchema) in properties)
                {
                    if (propertySchema is not JsonObject ps)
                    {
                        continue;
                    }

                    if (!obj.ContainsKey(name) && ps["default"] is { } defaultValue)
                    {
                        obj[name] = defaultValue.DeepClone();
                    }

                    if (obj[name] is { } child)
                    {
                        Apply(child, ps);
                    }
                }
            }

            if (schema["additionalProperties"] is JsonObject additional)
            {
                var known = schema["properties"] as JsonObject;
                foreach (var (name, child) in obj.ToList())
                {
                    if (known is null || !known.ContainsKey(name))
                    {
                        Apply(child, additional);
                    }
                }
            }
        }
        else if (node is JsonArray array && schema["items"] is JsonObject items)
        {
            foreach (var item in array)
            {
                Apply(item, items);
            }
        }
    }
}
