using System.Globalization;

namespace K8sReplication.Observability.Metrics;

/// <summary>Which meters the Prometheus exporter listens to and how it bounds its memory.</summary>
public sealed class PrometheusExporterOptions
{
    /// <summary>Default cap on distinct label sets per instrument.</summary>
    public const int DefaultMaxSeriesPerInstrument = 2000;

    /// <summary>Histogram buckets (seconds) used when an instrument gives no bucket advice: 1 ms to 1 min.</summary>
    public static IReadOnlyList<double> DefaultSecondsBuckets { get; } =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    /// <summary>Meters listened to by exact name (ordinal), whatever their scope or version.</summary>
    public IList<string> MeterNames { get; } = new List<string>();

    /// <summary>Meters listened to when their name starts with one of these (ordinal), e.g. <c>K8sReplication.</c>.</summary>
    public IList<string> MeterNamePrefixes { get; } = new List<string>();

    /// <summary>Series beyond this many per instrument are dropped and counted in <c>metrics_exporter_dropped_measurements_total</c>.</summary>
    public int MaxSeriesPerInstrument { get; set; } = DefaultMaxSeriesPerInstrument;

    /// <summary>Bucket upper bounds for histograms without <c>InstrumentAdvice.HistogramBucketBoundaries</c>.</summary>
    public IList<double> DefaultHistogramBuckets { get; } = new List<double>(DefaultSecondsBuckets);

    /// <summary>
    /// When set, meters whose <c>Meter.Scope</c> is another non-null object (another container's
    /// <c>IMeterFactory</c>) are ignored, so two hosts in one process never mix their metrics.
    /// Meters without a scope are always eligible.
    /// </summary>
    public object? MeterScope { get; set; }

    /// <summary>Whether <c>AddPrometheusExporter</c> also registers and exports <see cref="ProcessMetrics"/>.</summary>
    public bool IncludeProcessMetrics { get; set; } = true;

    /// <summary>Every problem with these options, each naming its field; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxSeriesPerInstrument < 1)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{nameof(MaxSeriesPerInstrument)} must be at least 1 (was {MaxSeriesPerInstrument})."));
        }

        if (MeterNames.Count == 0 && MeterNamePrefixes.Count == 0)
        {
            errors.Add($"{nameof(MeterNames)} or {nameof(MeterNamePrefixes)} must name at least one meter.");
        }

        if (MeterNames.Any(string.IsNullOrEmpty) || MeterNamePrefixes.Any(string.IsNullOrEmpty))
        {
            errors.Add($"{nameof(MeterNames)} and {nameof(MeterNamePrefixes)} must not contain empty entries.");
        }

        for (var i = 0; i < DefaultHistogramBuckets.Count; i++)
        {
            var bound = DefaultHistogramBuckets[i];
            if (!double.IsFinite(bound) || (i > 0 && bound <= DefaultHistogramBuckets[i - 1]))
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"{nameof(DefaultHistogramBuckets)}[{i}] must be finite and greater than the previous bound (was {bound})."));
            }
        }

        return errors;
    }
}
