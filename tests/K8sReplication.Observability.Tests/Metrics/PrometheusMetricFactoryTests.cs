using K8sReplication.Observability.Metrics;
using Prometheus;
using static K8sReplication.Observability.Tests.Metrics.Exposition;

namespace K8sReplication.Observability.Tests.Metrics;

public sealed class PrometheusMetricFactoryTests
{
    [Fact]
    public async Task Series_AppearAtTheirFirstRecording_WithTheNameAsDefined()
    {
        var factory = NewFactory();
        var bytes = factory.Counter("replication_antientropy_bytes_total", "Bytes.");
        var applied = factory.Counter("replication_changes_applied_total", "Applied.", "peer");
        Assert.Empty(Samples(await ScrapeAsync(factory.Registry), "replication_antientropy_bytes_total"));

        bytes.Inc(4096);
        applied.WithLabels("node-a").Inc(0);
        var text = await ScrapeAsync(factory.Registry);

        Assert.Contains("# TYPE replication_antientropy_bytes_total counter\n", text);
        Assert.Equal(["replication_antientropy_bytes_total 4096"], Samples(text, "replication_antientropy_bytes_total"));
        Assert.Equal(["replication_changes_applied_total{peer=\"node-a\"} 0"], Samples(text, "replication_changes_applied_total"));
    }

    [Fact]
    public async Task Histogram_ExportsExactlyItsBuckets_AndAnInfBucketEqualToTheCount()
    {
        var factory = NewFactory();
        var duration = factory.Histogram("replication_batch_duration_seconds", "Time.", HistogramBuckets.Seconds());
        duration.Observe(0.003);
        duration.Observe(0.005);
        duration.Observe(120);

        var text = await ScrapeAsync(factory.Registry);

        var les = Samples(text, "replication_batch_duration_seconds_bucket").Select(l => l[(l.IndexOf("le=\"", StringComparison.Ordinal) + 4)..l.IndexOf("\"}", StringComparison.Ordinal)]);
        Assert.Equal(["0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "30", "60", "+Inf"], les);
        Assert.Equal(2, Value(text, "replication_batch_duration_seconds_bucket{le=\"0.005\"}"));
        Assert.Equal(3, Value(text, "replication_batch_duration_seconds_bucket{le=\"+Inf\"}"));
        Assert.Equal(3, Value(text, "replication_batch_duration_seconds_count"));
    }

    [Fact]
    public async Task AGaugeHiddenWhileItsStateIsAbsent_HasNoSample_UntilSetAgain()
    {
        var factory = NewFactory();
        var lastSuccess = factory.Gauge("replication_backup_last_success_timestamp_seconds", "Last success.");
        lastSuccess.Set(1_796_558_941.636);
        Assert.Equal(1_796_558_941.636, Value(await ScrapeAsync(factory.Registry), "replication_backup_last_success_timestamp_seconds"));

        lastSuccess.Unpublish();

        Assert.Empty(Samples(await ScrapeAsync(factory.Registry), "replication_backup_last_success_timestamp_seconds"));
    }

    [Fact]
    public async Task NoExemplars_AreAttached_EvenInsideATracedActivity()
    {
        var factory = NewFactory();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        using var source = new System.Diagnostics.ActivitySource("Test.Exemplars");
        using (source.StartActivity("request"))
        {
            factory.Counter("replication_peer_requests_total", "Requests.", "outcome").WithLabels("success").Inc();
        }

        var text = await ScrapeAsync(factory.Registry, ExpositionFormat.OpenMetricsText);

        Assert.Contains("replication_peer_requests_total{outcome=\"success\"} 1.0\n", text);
        Assert.DoesNotContain("trace_id", text);
    }
}
