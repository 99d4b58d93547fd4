using System.Diagnostics.Metrics;
using K8sReplication.Observability.Metrics;

namespace K8sReplication.Observability.Tests.Metrics;

public sealed class HistogramTests
{
    private static readonly double[] Bounds = [0.1, 0.5, 1];

    [Theory]
    [InlineData(-1, 0)]
    [InlineData(0.05, 0)]
    [InlineData(0.1, 0)] // le is "less than or equal": a value on a bound belongs to that bucket.
    [InlineData(0.10000001, 1)]
    [InlineData(0.5, 1)]
    [InlineData(1, 2)]
    [InlineData(1.5, 3)]
    [InlineData(double.PositiveInfinity, 3)]
    public void BucketIndex_IsTheFirstBoundAtOrAboveTheValue(double value, int expected)
    {
        Assert.Equal(expected, HistogramInstrumentState.BucketIndex(Bounds, value));
    }

    [Fact]
    public void Scrape_WritesCumulativeBucketsInfSumAndCount()
    {
        using var test = new TestMeter();
        var histogram = test.Meter.CreateHistogram<double>("op.duration", "s", "Operation duration.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.125, 0.5, 1] });
        foreach (var value in new[] { 0.0625, 0.125, 0.25, 0.75, 2, 3 })
        {
            histogram.Record(value, new KeyValuePair<string, object?>("peer", "a"));
        }

        histogram.Record(0.25, new KeyValuePair<string, object?>("peer", "b"));

        var text = test.Scrape();

        Assert.Equal(
            """
            # HELP op_duration_seconds Operation duration.
            # TYPE op_duration_seconds histogram
            op_duration_seconds_bucket{peer="a",le="0.125"} 2
            op_duration_seconds_bucket{peer="a",le="0.5"} 3
            op_duration_seconds_bucket{peer="a",le="1"} 4
            op_duration_seconds_bucket{peer="a",le="+Inf"} 6
            op_duration_seconds_sum{peer="a"} 6.1875
            op_duration_seconds_count{peer="a"} 6
            op_duration_seconds_bucket{peer="b",le="0.125"} 0
            op_duration_seconds_bucket{peer="b",le="0.5"} 1
            op_duration_seconds_bucket{peer="b",le="1"} 1
            op_duration_seconds_bucket{peer="b",le="+Inf"} 1
            op_duration_seconds_sum{peer="b"} 0.25
            op_duration_seconds_count{peer="b"} 1

            """.ReplaceLineEndings("\n"),
            text);
    }

    [Fact]
    public void Histogram_WithoutAdvice_UsesTheConfiguredDefaultBuckets()
    {
        using var test = new TestMeter(o =>
        {
            o.DefaultHistogramBuckets.Clear();
            o.DefaultHistogramBuckets.Add(1);
            o.DefaultHistogramBuckets.Add(10);
        });
        test.Meter.CreateHistogram<long>("size").Record(5);

        var text = test.Scrape();

        Assert.Contains("size_bucket{le=\"1\"} 0\nsize_bucket{le=\"10\"} 1\nsize_bucket{le=\"+Inf\"} 1\nsize_sum 5\nsize_count 1\n", text);
    }

    [Fact]
    public void DefaultBuckets_AreSecondsFromAMillisecondToAMinute()
    {
        using var test = new TestMeter();
        test.Meter.CreateHistogram<double>("wait", "s").Record(0.0001);

        var text = test.Scrape();

        Assert.Contains("wait_seconds_bucket{le=\"0.001\"} 1\n", text);
        Assert.Contains("wait_seconds_bucket{le=\"60\"} 1\n", text);
        Assert.Equal(PrometheusExporterOptions.DefaultSecondsBuckets.Count + 1, text.Split('\n').Count(l => l.StartsWith("wait_seconds_bucket", StringComparison.Ordinal)));
    }

    [Fact]
    public void HistogramBounds_FromAdvice_AreSortedFiniteAndDistinct()
    {
        using var meter = new Meter("Test.Bounds." + Guid.NewGuid().ToString("N"));
        var histogram = meter.CreateHistogram<int>("h", advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 5, 10] });

        Assert.Equal([1d, 5d, 10d], PrometheusMetricsCollector.HistogramBounds(histogram)!);
        Assert.Null(PrometheusMetricsCollector.HistogramBounds(meter.CreateHistogram<int>("no_advice")));
    }

    [Fact]
    public void Histogram_IgnoresNaN()
    {
        using var test = new TestMeter();
        var histogram = test.Meter.CreateHistogram<double>("latency", "s");
        histogram.Record(double.NaN);
        histogram.Record(1);

        var text = test.Scrape();

        Assert.Contains("latency_seconds_count 1\n", text);
        Assert.Contains("latency_seconds_sum 1\n", text);
    }
}
