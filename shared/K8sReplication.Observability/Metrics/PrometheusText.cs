using System.Globalization;
using System.Text;

namespace K8sReplication.Observability.Metrics;

/// <summary>Escaping and number formatting of the Prometheus text exposition format 0.0.4.</summary>
internal static class PrometheusText
{
    /// <summary>Label values escape backslash, double quote and line feed (0.0.4 spec).</summary>
    public static void AppendEscapedLabelValue(StringBuilder sb, string value)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '"': sb.Append("\\\""); break;
                case '\n': sb.Append("\\n"); break;
                default: sb.Append(c); break;
            }
        }
    }

    /// <summary>Help text escapes only backslash and line feed; a double quote stays as it is (0.0.4 spec).</summary>
    public static void AppendEscapedHelp(StringBuilder sb, string help)
    {
        foreach (var c in help)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                default: sb.Append(c); break;
            }
        }
    }

    public static string EscapeLabelValue(string value)
    {
        var sb = new StringBuilder(value.Length + 8);
        AppendEscapedLabelValue(sb, value);
        return sb.ToString();
    }

    public static string EscapeHelp(string help)
    {
        var sb = new StringBuilder(help.Length + 8);
        AppendEscapedHelp(sb, help);
        return sb.ToString();
    }

    /// <summary>
    /// Formats a sample value as Go's ParseFloat reads it: +Inf, -Inf, NaN, otherwise the shortest
    /// round-trippable invariant-culture form (so a scrape never loses precision).
    /// </summary>
    public static string FormatDouble(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsPositiveInfinity(value))
        {
            return "+Inf";
        }

        if (double.IsNegativeInfinity(value))
        {
            return "-Inf";
        }

        return value.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>Formats a tag value for use as a label value (before escaping); null becomes the empty string.</summary>
    public static string FormatTagValue(object? value) => value switch
    {
        null => string.Empty,
        string s => s,
        bool b => b ? "true" : "false",
        double d => FormatDouble(d),
        float f => FormatDouble(f),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
