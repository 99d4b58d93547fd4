using System.Text;

namespace K8sReplication.Observability.Metrics;

/// <summary>
/// Writes metric families in the text exposition format 0.0.4: one <c># HELP</c> and one
/// <c># TYPE</c> line per family, then its samples sorted by their rendered labels (ordinal), so
/// two scrapes of the same state are byte-identical.
/// </summary>
internal static class PrometheusTextWriter
{
    public static void WriteScalarFamily(StringBuilder sb, string name, MetricType type, string help, Dictionary<string, double> series)
    {
        if (series.Count == 0)
        {
            return;
        }

        WriteHeader(sb, name, type, help);
        foreach (var labels in SortedKeys(series))
        {
            WriteSample(sb, name, labels, null, PrometheusText.FormatDouble(series[labels]));
        }
    }

    public static void WriteHistogramFamily(StringBuilder sb, string name, string help, double[] bounds, Dictionary<string, HistogramSample> series)
    {
        if (series.Count == 0)
        {
            return;
        }

        WriteHeader(sb, name, MetricType.Histogram, help);
        var bucketName = name + "_bucket";
        foreach (var labels in SortedKeys(series))
        {
            var sample = series[labels];
            long cumulative = 0;
            for (var i = 0; i < bounds.Length; i++)
            {
                cumulative += sample.Buckets[i];
                WriteSample(sb, bucketName, labels, PrometheusText.FormatDouble(bounds[i]), cumulative.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            cumulative += sample.Buckets[bounds.Length];
            WriteSample(sb, bucketName, labels, "+Inf", cumulative.ToString(System.Globalization.CultureInfo.InvariantCulture));
            WriteSample(sb, name + "_sum", labels, null, PrometheusText.FormatDouble(sample.Sum));
            WriteSample(sb, name + "_count", labels, null, cumulative.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    public static string TypeName(MetricType type) => type switch
    {
        MetricType.Counter => "counter",
        MetricType.Gauge => "gauge",
        _ => "histogram",
    };

    private static void WriteHeader(StringBuilder sb, string name, MetricType type, string help)
    {
        sb.Append("# HELP ").Append(name).Append(' ');
        PrometheusText.AppendEscapedHelp(sb, help);
        sb.Append('\n');
        sb.Append("# TYPE ").Append(name).Append(' ').Append(TypeName(type)).Append('\n');
    }

    private static void WriteSample(StringBuilder sb, string name, string labels, string? le, string value)
    {
        sb.Append(name);
        if (labels.Length > 0 || le is not null)
        {
            sb.Append('{').Append(labels);
            if (le is not null)
            {
                sb.Append(labels.Length > 0 ? ",le=\"" : "le=\"").Append(le).Append('"');
            }

            sb.Append('}');
        }

        sb.Append(' ').Append(value).Append('\n');
    }

    private static string[] SortedKeys<T>(Dictionary<string, T> series)
    {
        var keys = series.Keys.ToArray();
        Array.Sort(keys, StringComparer.Ordinal);
        return keys;
    }
}
