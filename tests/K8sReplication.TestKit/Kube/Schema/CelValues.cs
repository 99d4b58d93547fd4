using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace K8sReplication.TestKit.Kube.Schema;

/// <summary>Converts JSON to the CLR values the CEL subset computes with: maps, lists, string, long, double, bool, null, and
/// the durations <c>duration()</c> makes.</summary>
internal static partial class CelValues
{
    public static object? From(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => o.ToDictionary(p => p.Key, p => From(p.Value), StringComparer.Ordinal),
        JsonArray a => a.Select(From).ToList(),
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number when v.TryGetValue<long>(out var l) => l,
            JsonValueKind.Number => v.GetValue<double>(),
            _ => null,
        },
        _ => null,
    };

    public static bool Equal(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (long x, double y) => x == y,
        (double x, long y) => x == y,
        (List<object?> x, List<object?> y) => x.Count == y.Count && x.Zip(y).All(p => Equal(p.First, p.Second)),
        (Dictionary<string, object?> x, Dictionary<string, object?> y) => x.Count == y.Count && x.All(p => y.TryGetValue(p.Key, out var v) && Equal(p.Value, v)),
        _ => Equals(a, b),
    };

    public static int Compare(object? a, object? b) => (a, b) switch
    {
        (long x, long y) => x.CompareTo(y),
        (long x, double y) => ((double)x).CompareTo(y),
        (double x, long y) => x.CompareTo(y),
        (double x, double y) => x.CompareTo(y),
        (string x, string y) => string.CompareOrdinal(x, y),
        (TimeSpan x, TimeSpan y) => x.CompareTo(y),
        _ => throw new CelEvaluationException($"no such overload: compare {a?.GetType().Name} and {b?.GetType().Name}"),
    };

    /// <summary>CEL <c>duration(string)</c>: a sequence of decimal numbers with the units h, m, s, ms, us or ns.</summary>
    public static TimeSpan Duration(object? value)
    {
        if (value is not string text || text.Length == 0)
        {
            throw new CelEvaluationException("no such overload: duration");
        }

        var matches = DurationPart().Matches(text);
        if (matches.Sum(m => m.Length) != text.Length)
        {
            throw new CelEvaluationException($"invalid duration '{text}'");
        }

        var ticks = 0d;
        foreach (Match m in matches)
        {
            var number = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            ticks += number * m.Groups[2].Value switch
            {
                "h" => TimeSpan.TicksPerHour,
                "m" => TimeSpan.TicksPerMinute,
                "s" => TimeSpan.TicksPerSecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                "us" => TimeSpan.TicksPerMicrosecond,
                _ => 0.01,
            };
        }

        return TimeSpan.FromTicks((long)ticks);
    }

    public static bool Truth(object? value) => value as bool? ?? throw new CelEvaluationException("no such overload: expected a bool");

    [GeneratedRegex(@"\G([0-9]+(?:\.[0-9]+)?)(h|ms|m|s|us|ns)")]
    private static partial Regex DurationPart();
}
