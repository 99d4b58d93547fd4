using System.Diagnostics.Metrics;

namespace K8sReplication.Observability.Metrics;

/// <summary>A Histogram&lt;T&gt; with explicit bucket upper bounds (the family's).</summary>
internal sealed class HistogramInstrumentState : InstrumentState
{
    private readonly SeriesTable<HistogramSeries> _series;
    private readonly double[] _bounds;

    public HistogramInstrumentState(Instrument instrument, MetricFamily family, int maxSeries)
        : base(instrument, family)
    {
        _bounds = family.Bounds;
        var count = _bounds.Length;
        _series = new SeriesTable<HistogramSeries>(labels => new HistogramSeries(labels, count), maxSeries);
    }

    public override long DroppedMeasurements => _series.Dropped;

    public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (double.IsNaN(value))
        {
            return;
        }

        _series.GetOrAdd(tags)?.Record(BucketIndex(_bounds, value), value);
    }

    /// <summary>The first bucket whose upper bound is ≥ value (Prometheus buckets are "less or equal"); bounds.Length is +Inf.</summary>
    public static int BucketIndex(double[] bounds, double value)
    {
        var index = Array.BinarySearch(bounds, value);
        return index >= 0 ? index : ~index;
    }

    public void Collect(Dictionary<string, HistogramSample> into)
    {
        foreach (var series in _series.Snapshot())
        {
            var key = series.Labels.Rendered;
            if (!into.TryGetValue(key, out var sample))
            {
                sample = new HistogramSample(_bounds.Length + 1);
                into[key] = sample;
            }

            sample.Add(series);
        }
    }
}
