using System.Text;

namespace K8sReplication.Observability.Metrics;

/// <summary>
/// Maps System.Diagnostics.Metrics instrument names, units and tag keys to valid Prometheus names:
/// metric names match <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>, label names <c>[a-zA-Z_][a-zA-Z0-9_]*</c>;
/// the unit is carried in the name (<c>_seconds</c>, <c>_bytes</c>) and counters end with <c>_total</c>.
/// </summary>
internal static class PrometheusNames
{
    private const string TotalSuffix = "_total";

    public static string MetricName(string instrumentName, string? unit, MetricType type)
    {
        var name = Sanitize(instrumentName, allowColon: true);
        if (type == MetricType.Counter && name.EndsWith(TotalSuffix, StringComparison.Ordinal) && name.Length > TotalSuffix.Length)
        {
            name = name[..^TotalSuffix.Length];
        }

        var unitSuffix = UnitSuffix(unit);
        if (unitSuffix.Length > 0 && !name.EndsWith("_" + unitSuffix, StringComparison.Ordinal) && name != unitSuffix)
        {
            name = name + "_" + unitSuffix;
        }

        return type == MetricType.Counter ? name + TotalSuffix : name;
    }

    public static string LabelName(string tagKey) => Sanitize(tagKey, allowColon: false);

    /// <summary>
    /// The name suffix for a UCUM unit as System.Diagnostics.Metrics and OpenTelemetry use them:
    /// <c>s</c> → seconds, <c>By</c> → bytes, <c>By/s</c> → bytes_per_second; annotations such as
    /// <c>{request}</c> and the dimensionless <c>1</c> add nothing.
    /// </summary>
    public static string UnitSuffix(string? unit)
    {
        if (string.IsNullOrWhiteSpace(unit))
        {
            return string.Empty;
        }

        var withoutAnnotations = StripAnnotations(unit).Trim();
        if (withoutAnnotations.Length == 0 || withoutAnnotations == "1")
        {
            return string.Empty;
        }

        var slash = withoutAnnotations.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            var numerator = MapUnit(withoutAnnotations[..slash], plural: true);
            var denominator = MapUnit(withoutAnnotations[(slash + 1)..], plural: false);
            if (numerator.Length == 0)
            {
                return denominator.Length == 0 ? string.Empty : "per_" + denominator;
            }

            return denominator.Length == 0 ? numerator : numerator + "_per_" + denominator;
        }

        return MapUnit(withoutAnnotations, plural: true);
    }

    private static string MapUnit(string unit, bool plural)
    {
        var word = unit switch
        {
            "s" => "second",
            "ms" => "millisecond",
            "us" or "μs" => "microsecond",
            "ns" => "nanosecond",
            "min" => "minute",
            "h" => "hour",
            "d" => "day",
            "By" => "byte",
            "KiBy" => "kibibyte",
            "MiBy" => "mebibyte",
            "GiBy" => "gibibyte",
            "KBy" => "kilobyte",
            "MBy" => "megabyte",
            "GBy" => "gigabyte",
            "bit" => "bit",
            "%" => "percent",
            "1" or "" => string.Empty,
            _ => null,
        };

        if (word is null)
        {
            // An unknown unit still ends up in the name, sanitised, as written.
            return Sanitize(unit, allowColon: false).Trim('_');
        }

        return word.Length == 0 || !plural || word == "percent" ? word : word + "s";
    }

    private static string StripAnnotations(string unit)
    {
        if (!unit.Contains('{', StringComparison.Ordinal))
        {
            return unit;
        }

        var sb = new StringBuilder(unit.Length);
        var depth = 0;
        foreach (var c in unit)
        {
            if (c == '{')
            {
                depth++;
            }
            else if (c == '}')
            {
                depth = Math.Max(0, depth - 1);
            }
            else if (depth == 0)
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    private static string Sanitize(string raw, bool allowColon)
    {
        if (raw.Length == 0)
        {
            return "_";
        }

        var sb = new StringBuilder(raw.Length + 1);
        if (char.IsAsciiDigit(raw[0]))
        {
            sb.Append('_');
        }

        foreach (var c in raw)
        {
            var valid = char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':');
            sb.Append(valid ? c : '_');
        }

        return sb.ToString();
    }
}
