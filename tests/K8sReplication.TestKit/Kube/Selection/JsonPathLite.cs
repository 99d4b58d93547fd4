using System.Text.Json;
using System.Text.Json.Nodes;

namespace K8sReplication.TestKit.Kube.Selection;

/// <summary>
/// The subset of kubectl JSONPath used by printer columns: <c>.a.b</c>, <c>.a[0]</c>, <c>.a[*].b</c> and
/// <c>.a[?(@.type=="Ready")].status</c>. Returns the first match, or null.
/// </summary>
internal static class JsonPathLite
{
    public static JsonNode? First(JsonNode? root, string path)
    {
        var text = path.Trim();
        if (text.StartsWith('{') && text.EndsWith('}'))
        {
            text = text[1..^1];
        }

        if (text.StartsWith('$'))
        {
            text = text[1..];
        }

        IEnumerable<JsonNode?> current = [root];
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == '.')
            {
                i++;
                var start = i;
                while (i < text.Length && text[i] != '.' && text[i] != '[')
                {
                    i++;
                }

                var name = text[start..i];
                current = current.Select(n => n is JsonObject o ? o[name] : null).Where(n => n is not null).ToList();
            }
            else if (text[i] == '[')
            {
                var end = FindClose(text, i);
                var inner = text[(i + 1)..end];
                current = Index(current, inner).ToList();
                i = end + 1;
            }
            else
            {
                return null;
            }
        }

        return current.FirstOrDefault();
    }

    private static int FindClose(string text, int open)
    {
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            if (text[i] == '[')
            {
                depth++;
            }
            else if (text[i] == ']' && --depth == 0)
            {
                return i;
            }
        }

        return text.Length - 1;
    }

    private static IEnumerable<JsonNode?> Index(IEnumerable<JsonNode?> nodes, string inner)
    {
        foreach (var node in nodes)
        {
            if (node is not JsonArray array)
            {
                continue;
            }

            if (inner == "*")
            {
                foreach (var item in array)
                {
                    yield return item;
                }
            }
            else if (inner.StartsWith("?(", StringComparison.Ordinal) && inner.EndsWith(')'))
            {
                var filter = inner[2..^1];
                var eq = filter.IndexOf("==", StringComparison.Ordinal);
                if (eq < 0 || !filter.StartsWith("@.", StringComparison.Ordinal))
                {
                    continue;
                }

                var field = filter[2..eq].Trim();
                var expected = filter[(eq + 2)..].Trim().Trim('"', '\'');
                foreach (var item in array)
                {
                    if (item is JsonObject o && o[field] is JsonValue v && Text(v) == expected)
                    {
                        yield return item;
                    }
                }
            }
            else if (int.TryParse(inner, out var index))
            {
                if (index < 0)
                {
                    index += array.Count;
                }

                if (index >= 0 && index < array.Count)
                {
                    yield return array[index];
                }
            }
        }
    }

    private static string Text(JsonValue value) =>
        value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
}
