using System.Globalization;
using System.Text;
using K8sReplication.Observability.Metrics;
using Prometheus;

namespace K8sReplication.Observability.Tests.Metrics;

/// <summary>What a scrape of a registry returns, and the value of one series in it.</summary>
internal static class Exposition
{
    public static PrometheusMetricFactory NewFactory() => new(Prometheus.Metrics.NewCustomRegistry());

    public static async Task<string> ScrapeAsync(CollectorRegistry registry, ExpositionFormat format = ExpositionFormat.PrometheusText)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream, format);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static double Value(string text, string series)
    {
        var line = text.Split('\n').SingleOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"series {series} missing from:\n{text}");
        return double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
    }

    /// <summary>The sample lines (not comments) of <paramref name="metric"/>, labelled or not.</summary>
    public static string[] Samples(string text, string metric) =>
        [.. text.Split('\n').Where(l => l.StartsWith(metric + " ", StringComparison.Ordinal) || l.StartsWith(metric + "{", StringComparison.Ordinal))];
}
