using System.Text.Json.Nodes;

namespace K8sReplication.Packaging.Tests.Tools;

/// <summary>Small accessors over Kubernetes objects held as JSON nodes.</summary>
public static class KubeObjects
{
    public static string Kind(this JsonObject o) => (string?)o["kind"] ?? throw new InvalidOperationException("object without kind");

    public static string Name(this JsonObject o) => (string?)o["metadata"]?["name"] ?? throw new InvalidOperationException($"{o.Kind()} without name");

    public static JsonObject OnlyOne(this IEnumerable<JsonObject> objects, string kind, string? nameSuffix = null)
    {
        var matches = objects.Where(o => o.Kind() == kind && (nameSuffix is null || o.Name().EndsWith(nameSuffix, StringComparison.Ordinal))).ToList();
        Assert.True(matches.Count == 1, $"expected exactly one {kind}{(nameSuffix is null ? "" : $" named *{nameSuffix}")}, found {matches.Count}");
        return matches[0];
    }

    public static IEnumerable<JsonObject> Items(this JsonNode? array) =>
        array is JsonArray a ? a.OfType<JsonObject>() : [];

    public static IEnumerable<string> Strings(this JsonNode? array) =>
        array is JsonArray a ? a.Select(n => n?.ToString() ?? "") : [];

    public static JsonObject Container(this JsonObject podSpec, string name) =>
        podSpec["containers"].Items().Concat(podSpec["initContainers"].Items()).SingleOrDefault(c => (string?)c["name"] == name)
        ?? throw new Xunit.Sdk.XunitException($"no container named {name}");
}
