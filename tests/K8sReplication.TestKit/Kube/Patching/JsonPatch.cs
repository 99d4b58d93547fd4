using System.Text.Json.Nodes;
using K8sReplication.TestKit.Kube.Storage;

namespace K8sReplication.TestKit.Kube.Patching;

/// <summary>RFC 6902 JSON patch (add, remove, replace, move, copy, test) with RFC 6901 pointers.</summary>
internal static class JsonPatch
{
    public static JsonNode Apply(JsonNode target, JsonArray operations)
    {
        var document = target.DeepClone();
        foreach (var operationNode in operations)
        {
            var operation = operationNode as JsonObject ?? throw ApiErrors.BadRequest("json patch operation must be an object");
            var op = operation["op"]?.GetValue<string>() ?? throw ApiErrors.BadRequest("json patch operation is missing \"op\"");
            var path = operation["path"]?.GetValue<string>() ?? throw ApiErrors.BadRequest("json patch operation is missing \"path\"");
            switch (op)
            {
                case "add":
                    Add(document, path, operation["value"]?.DeepClone());
                    break;
                case "remove":
                    Remove(document, path);
                    break;
                case "replace":
                    Remove(document, path);
                    Add(document, path, operation["value"]?.DeepClone());
                    break;
                case "move":
                    {
                        var from = operation["from"]!.GetValue<string>();
                        var value = Get(document, from)?.DeepClone();
                        Remove(document, from);
                        Add(document, path, value);
                        break;
                    }

                case "copy":
                    Add(document, path, Get(document, operation["from"]!.GetValue<string>())?.DeepClone());
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(document, path), operation["value"]))
                    {
                        throw new ApiException(422, "Invalid", $"the server rejected our request due to an error in our request: testing value {path} failed");
                    }

                    break;
                default:
                    throw ApiErrors.BadRequest($"unexpected json patch operation \"{op}\"");
            }
        }

        return document;
    }

    private static string[] Segments(string pointer) =>
        pointer.Length == 0 ? [] : [.. pointer.TrimStart('/').Split('/').Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))];

    private static JsonNode? Get(JsonNode document, string pointer)
    {
        JsonNode? node = document;
        foreach (var segment in Segments(pointer))
        {
            node = node switch
            {
                JsonObject o when o.ContainsKey(segment) => o[segment],
                JsonArray a when int.TryParse(segment, out var i) && i >= 0 && i < a.Count => a[i],
                _ => throw Missing(pointer),
            };
        }

        return node;
    }

    private static void Add(JsonNode document, string pointer, JsonNode? value)
    {
        var segments = Segments(pointer);
        var parent = Get(document, "/" + string.Join('/', segments[..^1].Select(Escape)));
        var last = segments[^1];
        switch (parent)
        {
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a when last == "-":
                a.Add(value);
                break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i <= a.Count:
                a.Insert(i, value);
                break;
            default:
                throw Missing(pointer);
        }
    }

    private static void Remove(JsonNode document, string pointer)
    {
        var segments = Segments(pointer);
        var parent = Get(document, "/" + string.Join('/', segments[..^1].Select(Escape)));
        var last = segments[^1];
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(last):
                o.Remove(last);
                break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i < a.Count:
                a.RemoveAt(i);
                break;
            default:
                throw Missing(pointer);
        }
    }

    private static string Escape(string segment) => segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    private static ApiException Missing(string pointer) =>
        new(422, "Invalid", $"the server rejected our request due to an error in our request: jsonpatch: path {pointer} does not exist");
}
