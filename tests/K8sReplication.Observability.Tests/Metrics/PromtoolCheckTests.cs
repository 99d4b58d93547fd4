using System.Diagnostics.Metrics;
using K8sReplication.Observability.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace K8sReplication.Observability.Tests.Metrics;

/// <summary>The exporter's output is held to the real <c>promtool check metrics</c>: any output line is a failure.</summary>
public sealed class PromtoolCheckTests
{
    private static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);

    [Fact]
    public async Task RealisticInstruments_PassPromtoolWithoutAProblem()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        var name = "Test.Promtool." + Guid.NewGuid().ToString("N");
        var options = new PrometheusExporterOptions { MeterScope = factory };
        options.MeterNames.Add(name);
        options.MeterNames.Add(ProcessMetrics.MeterName);
        using var collector = new PrometheusMetricsCollector(options);
        using var process = new ProcessMetrics(factory);
        var meter = factory.Create(name);

        meter.CreateCounter<long>("replication.changes.captured", description: "Changes captured from the local database.").Add(12);
        var applied = meter.CreateCounter<long>("replication_changes_applied_total", description: "Changes applied, by peer.");
        applied.Add(5, Tag("peer", "node-a"));
        applied.Add(7, Tag("peer", "node-b"));
        meter.CreateCounter<long>("replication.changes.skipped", description: "Changes skipped.")
            .Add(1, Tag("peer", "node-a"), Tag("reason", "say \"hi\" \\ C:\\path\nsecond line"));
        meter.CreateUpDownCounter<int>("replication.queue.depth", "{change}", "Changes waiting to be applied.").Add(3);
        meter.CreateGauge<int>("replication.engine.state", description: "Engine state (0=Stopped .. 4=Running).").Record(4);
        meter.CreateObservableGauge("replication.lag", () => new[]
        {
            new Measurement<double>(0.25, Tag("peer", "node-a")),
            new Measurement<double>(double.PositiveInfinity, Tag("peer", "node-b")),
        }, "s", "Replication lag per peer.\nInfinite while a peer was never reached; path C:\\lag");
        meter.CreateObservableCounter("replication.antientropy.bytes", () => 4096L, "By", "Bytes exchanged by anti-entropy.");
        meter.CreateObservableUpDownCounter("replication.peers", () => new Measurement<int>(2, Tag("state", "connected")), "{peer}");
        var duration = meter.CreateHistogram<double>("replication.batch.duration", "s", "Time to apply one batch.");
        duration.Record(0.003, Tag("peer", "node-a"));
        duration.Record(0.2, Tag("peer", "node-a"));
        duration.Record(120, Tag("peer", "node-b"));
        meter.CreateHistogram<long>("replication.batch.size", "{change}", "Changes per batch.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 10, 100, 1000] }).Record(42);
        meter.CreateGauge<double>("replication.ratio", "1", "A ratio.").Record(double.NaN);

        var text = collector.Scrape();
        var (exitCode, output) = await Promtool.CheckMetricsAsync(text);

        Assert.True(exitCode == 0 && output.Length == 0, $"promtool exit {exitCode}: {output}\n--- exposition ---\n{text}");
        foreach (var family in new[]
        {
            "replication_changes_captured_total counter", "replication_changes_applied_total counter",
            "replication_changes_skipped_total counter", "replication_queue_depth gauge", "replication_engine_state gauge",
            "replication_lag_seconds gauge", "replication_antientropy_bytes_total counter", "replication_peers gauge",
            "replication_batch_duration_seconds histogram", "replication_batch_size histogram",
            "process_resident_memory_bytes gauge", "process_cpu_seconds_total counter", "process_start_time_seconds gauge",
            "dotnet_gc_heap_size_bytes gauge", "dotnet_threadpool_threads gauge", "dotnet_gc_collections_total counter",
        })
        {
            Assert.Contains("# TYPE " + family + "\n", text);
        }

        Assert.Contains("reason=\"say \\\"hi\\\" \\\\ C:\\\\path\\nsecond line\"", text);
        Assert.Contains("# HELP replication_lag_seconds Replication lag per peer.\\nInfinite while a peer was never reached; path C:\\\\lag\n", text);
        Assert.Contains("replication_lag_seconds{peer=\"node-b\"} +Inf\n", text);
        Assert.Contains("replication_ratio NaN\n", text);
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
