using K8sReplication.Observability.Metrics;
using static K8sReplication.Observability.Tests.Metrics.Exposition;

namespace K8sReplication.Observability.Tests.Metrics;

/// <summary>The exported text is held to the real <c>promtool check metrics</c>: any output line is a failure.</summary>
public sealed class PromtoolCheckTests
{
    [Fact]
    public async Task RealisticMetrics_PassPromtoolWithoutAProblem()
    {
        var factory = NewFactory();
        ProcessMetrics.Register(factory);
        factory.Counter("replication_changes_captured_total", "Local app changes captured.").IncTo(12);
        var applied = factory.Counter("replication_changes_applied_total", "Remote changes applied, per peer.", "peer");
        applied.WithLabels("node-a").Inc(5);
        applied.WithLabels("node-b").Inc(7);
        factory.Counter("replication_changes_skipped_total", "Remote changes not applied, per peer and reason.", "peer", "reason")
            .WithLabels("node-a", "say \"hi\" \\ C:\\path\nsecond line").Inc();
        factory.Counter("replication_conflicts_total", "Declared, never recorded: a family without samples.", "reason", "table");
        factory.Gauge("replication_engine_state", "Engine state (0 Created .. 5 Failed).").Set(2);
        var lag = new ObservedGauge(factory.Gauge("replication_lag_seconds", "Replication lag per peer.\nInfinite while a peer was never reached; path C:\\lag", "peer"));
        lag.Refresh([GaugeSample.Of(0.25, "node-a"), GaugeSample.Of(double.PositiveInfinity, "node-b")]);
        factory.Gauge("replication_backup_pending_changes", "Hidden: no backup configured.").Unpublish();
        var duration = factory.Histogram("replication_batch_duration_seconds", "Time to apply one batch.", HistogramBuckets.Seconds());
        duration.Observe(0.003);
        duration.Observe(0.2);
        duration.Observe(120);
        factory.Histogram("k8srepl_reconcile_duration_seconds", "Declared, never observed.", HistogramBuckets.Seconds());
        factory.Gauge("replication_ratio", "A ratio.").Set(double.NaN);

        var text = await ScrapeAsync(factory.Registry);
        var (exitCode, output) = await Promtool.CheckMetricsAsync(text);

        Assert.True(exitCode == 0 && output.Length == 0, $"promtool exit {exitCode}: {output}\n--- exposition ---\n{text}");
        foreach (var family in new[]
        {
            "replication_changes_captured_total counter", "replication_changes_applied_total counter",
            "replication_changes_skipped_total counter", "replication_engine_state gauge", "replication_lag_seconds gauge",
            "replication_batch_duration_seconds histogram",
            "process_resident_memory_bytes gauge", "process_cpu_seconds_total counter", "process_start_time_seconds gauge",
            "dotnet_gc_heap_size_bytes gauge", "dotnet_threadpool_threads gauge", "dotnet_gc_collections_total counter",
        })
        {
            Assert.Contains("# TYPE " + family + "\n", text);
        }

        Assert.Contains("reason=\"say \\\"hi\\\" \\\\ C:\\\\path\\nsecond line\"", text);
        Assert.Contains("# HELP replication_lag_seconds Replication lag per peer.\\nInfinite while a peer was never reached; path C:\\\\lag\n", text);
        // prometheus-net writes "Infinity" (Go's ParseFloat, and so Prometheus, reads it as +Inf); none of our metrics is infinite.
        Assert.True(double.IsPositiveInfinity(Value(text, "replication_lag_seconds{peer=\"node-b\"}")));
        Assert.Contains("replication_ratio NaN\n", text);
        Assert.Empty(Samples(text, "replication_backup_pending_changes"));
    }

    [Theory]
    [InlineData("# HELP 1bad Help.\n# TYPE 1bad gauge\n1bad 1\n")]
    [InlineData("# HELP dup Help.\n# TYPE dup gauge\n# TYPE dup gauge\ndup 1\n")]
    [InlineData("# HELP jobs Help.\n# TYPE jobs counter\njobs 1\n")]
    [InlineData("# TYPE nohelp gauge\nnohelp 1\n")]
    [InlineData("# HELP v Help.\n# TYPE v gauge\nv{a=\"unterminated} 1\n")]
    public async Task BrokenFixtures_AreRejectedByPromtool(string exposition)
    {
        var (exitCode, output) = await Promtool.CheckMetricsAsync(exposition);

        Assert.NotEqual(0, exitCode);
        Assert.NotEmpty(output);
    }
}
