using System.Text.Json.Nodes;
using K8sReplication.TestKit.Kube.Storage;

namespace K8sReplication.TestKit.Kube.Selection;

/// <summary>A parsed label selector (<c>=, ==, !=, in, notin, exists, !key, gt, lt</c>); all requirements must hold.</summary>
internal sealed class LabelSelector
{
    private readonly List<Func<JsonObject?, bool>> _requirements = [];

    private LabelSelector()
    {
    }

    public static LabelSelector Everything { get; } = new();

    public static LabelSelector Parse(string? text)
    {
        var selector = new LabelSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }

        foreach (var term in SplitTerms(text))
        {
            selector._requirements.Add(ParseTerm(term.Trim(), text));
        }

        return selector;
    }

    /// <summary>
    /// A structured <c>metav1.LabelSelector</c> (<c>matchLabels</c>, <c>matchExpressions</c> with In, NotIn, Exists,
    /// DoesNotExist); null or empty selects everything.
    /// </summary>
    public static LabelSelector FromObject(JsonObject? spec)
    {
        var selector = new LabelSelector();
        foreach (var (key, value) in spec?["matchLabels"] as JsonObject ?? [])
        {
            var expected = value?.GetValue<string>();
            selector._requirements.Add(labels => Label(labels, key) == expected);
        }

        foreach (var expression in (spec?["matchExpressions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var key = expression["key"]?.GetValue<string>() ?? "";
            var values = (expression["values"] as JsonArray ?? []).Select(v => v?.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
            selector._requirements.Add(expression["operator"]?.GetValue<string>() switch
            {
                "In" => labels => Label(labels, key) is { } v && values.Contains(v),
                "NotIn" => labels => Label(labels, key) is not { } v || !values.Contains(v),
                "Exists" => labels => Label(labels, key) is not null,
                "DoesNotExist" => labels => Label(labels, key) is null,
                var other => throw ApiErrors.BadRequest($"\"{other}\" is not a valid label selector operator"),
            });
        }

        return selector;
    }

    public bool Matches(JsonObject obj) => MatchesLabels(obj["metadata"]?["labels"] as JsonObject);

    public bool MatchesLabels(JsonObject? labels) => _requirements.All(r => r(labels));

    public bool IsEmpty => _requirements.Count == 0;

    private static Func<JsonObject?, bool> ParseTerm(string term, string whole)
    {
        if (term.Length == 0)
        {
            throw Bad(whole, "found '', expected: identifier");
        }

        var inIndex = IndexOfWord(term, " in ");
        var notInIndex = IndexOfWord(term, " notin ");
        if (notInIndex > 0 || inIndex > 0)
        {
            var notIn = notInIndex > 0;
            var index = notIn ? notInIndex : inIndex;
            var key = term[..index].Trim();
            var rest = term[(index + (notIn ? 7 : 4))..].Trim();
            if (!rest.StartsWith('(') || !rest.EndsWith(')'))
            {
                throw Bad(whole, $"found '{rest}', expected: '('");
            }

            var values = rest[1..^1].Split(',').Select(v => v.Trim()).ToHashSet(StringComparer.Ordinal);
            CheckKey(key, whole);
            return notIn
                ? labels => Label(labels, key) is not { } v || !values.Contains(v)
                : labels => Label(labels, key) is { } v && values.Contains(v);
        }

        foreach (var op in new[] { "==", "!=", "=", ">", "<" })
        {
            var index = term.IndexOf(op, StringComparison.Ordinal);
            if (index <= 0)
            {
                continue;
            }

            var key = term[..index].Trim();
            var value = term[(index + op.Length)..].Trim();
            CheckKey(key, whole);
            return op switch
            {
                "!=" => labels => Label(labels, key) != value,
                ">" => labels => long.TryParse(Label(labels, key), out var l) && long.TryParse(value, out var r) && l > r,
                "<" => labels => long.TryParse(Label(labels, key), out var l) && long.TryParse(value, out var r) && l < r,
                _ => labels => Label(labels, key) == value,
            };
        }

        if (term.StartsWith('!'))
        {
            var key = term[1..].Trim();
            CheckKey(key, whole);
            return labels => Label(labels, key) is null;
        }

        CheckKey(term, whole);
        return labels => Label(labels, term) is not null;
    }

    private static int IndexOfWord(string term, string word) => term.IndexOf(word, StringComparison.Ordinal);

    private static void CheckKey(string key, string whole)
    {
        if (key.Length == 0 || key.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/')))
        {
            throw Bad(whole, $"invalid label key \"{key}\"");
        }
    }

    private static string? Label(JsonObject? labels, string key) =>
        labels?[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static IEnumerable<string> SplitTerms(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '(')
            {
                depth++;
            }
            else if (text[i] == ')')
            {
                depth--;
            }
            else if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }

        yield return text[start..];
    }

    private static ApiException Bad(string whole, string detail) =>
        ApiErrors.BadRequest($"unable to parse requirement: {detail} (selector \"{whole}\")");
}
