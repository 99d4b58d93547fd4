using System.Text.Json;
using System.Text.Json.Nodes;
using K8sReplication.TestKit.Kube.Storage;

namespace K8sReplication.TestKit.Kube.Selection;

/// <summary>
/// A field selector (<c>path=value</c>, <c>path==value</c>, <c>path!=value</c>). Any dotted path into the object is
/// accepted (metadata.name, metadata.namespace, status.phase, involvedObject.uid, ...); missing fields compare as "".
/// </summary>
internal sealed class FieldSelector
{
    private readonly List<(string[] Path, string Value, bool Equal)> _terms = [];

    private FieldSelector()
    {
    }

    /// <param name="text">The selector as sent.</param>
    /// <param name="storedLabel">Maps a label of the requested API version to the stored field it selects; null keeps labels as sent.</param>
    public static FieldSelector Parse(string? text, Func<string, string>? storedLabel = null)
    {
        var selector = new FieldSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }

        foreach (var raw in text.Split(','))
        {
            var term = raw.Trim();
            var notEqual = term.IndexOf("!=", StringComparison.Ordinal);
            var doubleEqual = term.IndexOf("==", StringComparison.Ordinal);
            var equal = term.IndexOf('=', StringComparison.Ordinal);
            var (index, width, isEqual) = notEqual > 0 ? (notEqual, 2, false) : doubleEqual > 0 ? (doubleEqual, 2, true) : (equal, 1, true);
            if (index <= 0)
            {
                throw ApiErrors.BadRequest($"invalid selector: '{text}'; can't understand '{term}'");
            }

            var label = term[..index].Trim();
            selector._terms.Add(((storedLabel?.Invoke(label) ?? label).Split('.'), term[(index + width)..].Trim(), isEqual));
        }

        return selector;
    }

    /// <summary>True when every term holds for <paramref name="obj"/>.</summary>
    public bool Matches(JsonObject obj)
    {
        foreach (var (path, value, equal) in _terms)
        {
            if ((Lookup(obj, path) == value) != equal)
            {
                return false;
            }
        }

        return true;
    }

    private static string Lookup(JsonObject obj, string[] path)
    {
        JsonNode? node = obj;
        foreach (var segment in path)
        {
            node = node is JsonObject o ? o[segment] : null;
        }

        return node switch
        {
            null => "",
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            _ => node.ToJsonString(),
        };
    }
}
