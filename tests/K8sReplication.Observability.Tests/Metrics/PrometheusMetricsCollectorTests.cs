using System.Diagnostics.Metrics;
using K8sReplication.Observability.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace K8sReplication.Observability.Tests.Metrics;

public sealed class PrometheusMetricsCollectorTests
{
    private static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);

    [Fact]
    public void Scrape_RendersCountersAndGauges_SortedByFamilyThenLabels()
    {
        using var test = new TestMeter();
        var applied = test.Meter.CreateCounter<long>("replication.changes.applied", description: "Changes applied.");
        var depth = test.Meter.CreateUpDownCounter<int>("queue.depth", description: "Queue depth.");
        var state = test.Meter.CreateGauge<double>("engine.state", description: "Engine state.");
        applied.Add(2, Tag("peer", "b"));
        applied.Add(3, Tag("peer", "a"));
        applied.Add(4, Tag("peer", "b"));
        depth.Add(5);
        depth.Add(-2);
        state.Record(1);
        state.Record(3);

        var text = test.Scrape();

        Assert.Equal(
            """
            # HELP engine_state Engine state.
            # TYPE engine_state gauge
            engine_state 3
            # HELP queue_depth Queue depth.
            # TYPE queue_depth gauge
            queue_depth 3
            # HELP replication_changes_applied_total Changes applied.
            # TYPE replication_changes_applied_total counter
            replication_changes_applied_total{peer="a"} 3
            replication_changes_applied_total{peer="b"} 6

            """.ReplaceLineEndings("\n"),
            text);
        Assert.Equal(text, test.Scrape());
    }

    [Fact]
    public void Counter_IgnoresNegativeDeltas()
    {
        using var test = new TestMeter();
        var counter = test.Meter.CreateCounter<int>("events");
        counter.Add(5);
        counter.Add(-3);

        Assert.Contains("events_total 5\n", test.Scrape());
    }

    [Fact]
    public void Series_AreTheSameWhateverTheTagOrder()
    {
        using var test = new TestMeter();
        var counter = test.Meter.CreateCounter<long>("skipped");
        counter.Add(1, Tag("peer", "a"), Tag("reason", "stale"));
        counter.Add(1, Tag("reason", "stale"), Tag("peer", "a"));

        var text = test.Scrape();

        Assert.Contains("skipped_total{peer=\"a\",reason=\"stale\"} 2\n", text);
        Assert.Single(text.Split('\n'), l => l.StartsWith("skipped_total{", StringComparison.Ordinal));
    }

    [Fact]
    public void ObservableInstruments_AreReadAtScrapeTime()
    {
        using var test = new TestMeter();
        var lag = 1.5;
        var calls = 0;
        test.Meter.CreateObservableGauge("lag", () => { calls++; return lag; }, "s", "Lag.");
        test.Meter.CreateObservableCounter("bytes", () => 100L * calls, "By", "Bytes.");
        test.Meter.CreateObservableUpDownCounter("members", () => new Measurement<int>(3, Tag("mesh", "m1")));

        var first = test.Scrape();
        lag = 7.25;
        var second = test.Scrape();

        Assert.Equal(2, calls);
        Assert.Contains("lag_seconds 1.5\n", first);
        Assert.Contains("lag_seconds 7.25\n", second);
        Assert.Contains("# TYPE bytes_total counter\n", second);
        Assert.Contains("bytes_total 200\n", second);
        Assert.Contains("# TYPE members gauge\nmembers{mesh=\"m1\"} 3\n", second);
    }

    [Fact]
    public void ObservableSeries_NotReportedAnyMore_Disappear()
    {
        using var test = new TestMeter();
        var peers = new List<string> { "a", "b" };
        test.Meter.CreateObservableGauge("peer.lag", () => peers.Select(p => new Measurement<double>(1, Tag("peer", p))).ToArray());

        var first = test.Scrape();
        peers.Remove("a");
        var second = test.Scrape();

        Assert.Contains("peer_lag{peer=\"a\"} 1\n", first);
        Assert.DoesNotContain("peer=\"a\"", second);
        Assert.Contains("peer_lag{peer=\"b\"} 1\n", second);
    }

    [Fact]
    public void FailingObservableCallback_DoesNotCostTheRestOfTheScrape()
    {
        using var test = new TestMeter();
        test.Meter.CreateObservableGauge("broken", (Func<double>)(() => throw new InvalidOperationException("boom")));
        test.Meter.CreateObservableGauge("fine", () => 1.0);

        Assert.Contains("fine 1\n", test.Scrape());
    }

    [Fact]
    public void ConcurrentRecording_FromManyThreads_SumsExactly()
    {
        using var test = new TestMeter();
        var counter = test.Meter.CreateCounter<long>("ops");
        var updown = test.Meter.CreateUpDownCounter<double>("balance");
        var histogram = test.Meter.CreateHistogram<double>("latency", "s",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5] });
        const int Threads = 8;
        const int PerThread = 20_000;
        using var start = new Barrier(Threads);

        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < PerThread; i++)
            {
                counter.Add(1, Tag("shard", i % 4));
                updown.Add(t % 2 == 0 ? 2 : -1);
                histogram.Record(i % 2 == 0 ? 0.25 : 1, Tag("peer", "p" + (i % 3)));
                if (i % 5000 == 0)
                {
                    _ = test.Scrape(); // scrapes race with recording and must not disturb it
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        var text = test.Scrape();

        for (var shard = 0; shard < 4; shard++)
        {
            Assert.Contains($"ops_total{{shard=\"{shard}\"}} {Threads * PerThread / 4}\n", text);
        }

        Assert.Contains($"balance {(Threads / 2 * 2 - Threads / 2) * PerThread}\n", text);
        var totalCount = text.Split('\n').Where(l => l.StartsWith("latency_seconds_count{", StringComparison.Ordinal))
            .Sum(l => long.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        var totalSum = text.Split('\n').Where(l => l.StartsWith("latency_seconds_sum{", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Threads * PerThread, totalCount);
        Assert.Equal(Threads * PerThread / 2 * 1.25, totalSum);
    }

    [Fact]
    public void SeriesBeyondTheCap_AreDroppedAndCounted()
    {
        using var test = new TestMeter(o => o.MaxSeriesPerInstrument = 3);
        var counter = test.Meter.CreateCounter<long>("requests");
        for (var i = 0; i < 10; i++)
        {
            counter.Add(1, Tag("id", i));
        }

        counter.Add(1, Tag("id", 0)); // an existing series still records

        var text = test.Scrape();

        Assert.Equal(3, text.Split('\n').Count(l => l.StartsWith("requests_total{", StringComparison.Ordinal)));
        Assert.Contains("requests_total{id=\"0\"} 2\n", text);
        Assert.Contains("# TYPE metrics_exporter_dropped_measurements_total counter\n", text);
        Assert.Contains("metrics_exporter_dropped_measurements_total{metric=\"requests_total\"} 7\n", text);
    }

    [Fact]
    public void SameNameFromTwoMeters_MergesIntoOneFamily()
    {
        var prefix = "Test.Merge." + Guid.NewGuid().ToString("N");
        var options = new PrometheusExporterOptions();
        options.MeterNamePrefixes.Add(prefix);
        using var collector = new PrometheusMetricsCollector(options);
        using var one = new Meter(prefix + ".One");
        using var two = new Meter(prefix + ".Two");
        one.CreateCounter<long>("hits").Add(2, Tag("k", "v"));
        two.CreateCounter<long>("hits_total").Add(3, Tag("k", "v"));
        two.CreateCounter<long>("hits_total").Add(1);

        var text = collector.Scrape();

        Assert.Single(text.Split('\n'), l => l == "# TYPE hits_total counter");
        Assert.Contains("hits_total{k=\"v\"} 5\n", text);
        Assert.Contains("hits_total 1\n", text);
        Assert.Empty(collector.Conflicts);
    }

    [Fact]
    public void SameNameWithAnotherType_IsRefusedClearly_AndNeverDuplicated()
    {
        using var test = new TestMeter();
        test.Meter.CreateGauge<double>("jobs_total").Record(4);
        test.Meter.CreateCounter<long>("jobs").Add(1);

        var text = test.Scrape();

        Assert.Single(text.Split('\n'), l => l.StartsWith("# TYPE jobs_total", StringComparison.Ordinal));
        Assert.Contains("# TYPE jobs_total gauge\njobs_total 4\n", text);
        var conflict = Assert.Single(test.Collector.Conflicts);
        Assert.Contains("jobs", conflict, StringComparison.Ordinal);
        Assert.Contains("already a gauge family", conflict, StringComparison.Ordinal);
    }

    [Fact]
    public void OnlyConfiguredMeters_AreExported()
    {
        var prefix = "Test.Filter." + Guid.NewGuid().ToString("N");
        var options = new PrometheusExporterOptions();
        options.MeterNamePrefixes.Add(prefix + ".Sidecar");
        options.MeterNames.Add(prefix + ".Exact");
        using var collector = new PrometheusMetricsCollector(options);
        using var byPrefix = new Meter(prefix + ".Sidecar.Engine");
        using var exact = new Meter(prefix + ".Exact");
        using var other = new Meter(prefix + ".Other");
        byPrefix.CreateCounter<long>("by_prefix").Add(1);
        exact.CreateCounter<long>("by_name").Add(1);
        other.CreateCounter<long>("unlisted").Add(1);

        var text = collector.Scrape();

        Assert.Contains("by_prefix_total 1\n", text);
        Assert.Contains("by_name_total 1\n", text);
        Assert.DoesNotContain("unlisted", text);
    }

    [Fact]
    public void MetersFromIMeterFactory_AreMatchedByName_AndOtherContainersAreIgnoredWhenScoped()
    {
        var name = "Test.Factory." + Guid.NewGuid().ToString("N");
        using var mine = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var theirs = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var myFactory = mine.GetRequiredService<IMeterFactory>();
        var options = new PrometheusExporterOptions { MeterScope = myFactory };
        options.MeterNames.Add(name);
        using var collector = new PrometheusMetricsCollector(options);

        myFactory.Create(name).CreateCounter<long>("scoped").Add(2);
        theirs.GetRequiredService<IMeterFactory>().Create(name).CreateCounter<long>("scoped").Add(40);
        using var unscoped = new Meter(name);
        unscoped.CreateCounter<long>("scoped").Add(1);

        Assert.Contains("scoped_total 3\n", collector.Scrape());
    }

    [Fact]
    public void DisposedMeter_IsNoLongerExported()
    {
        using var test = new TestMeter();
        test.Meter.CreateCounter<long>("gone").Add(1);
        Assert.Contains("gone_total 1\n", test.Scrape());

        test.Meter.Dispose();

        Assert.DoesNotContain("gone", test.Scrape());
    }

    [Fact]
    public void InstrumentWithoutDescription_UsesItsNameAsHelp()
    {
        using var test = new TestMeter();
        test.Meter.CreateCounter<long>("replication.rounds").Add(1);

        Assert.Contains("# HELP replication_rounds_total replication.rounds\n", test.Scrape());
    }

    [Fact]
    public void InvalidOptions_AreRejected_NamingEveryField()
    {
        var options = new PrometheusExporterOptions { MaxSeriesPerInstrument = 0 };
        options.DefaultHistogramBuckets.Add(0.5);

        var error = Assert.Throws<ArgumentException>(() => new PrometheusMetricsCollector(options));

        Assert.Contains("MaxSeriesPerInstrument", error.Message, StringComparison.Ordinal);
        Assert.Contains("MeterNames", error.Message, StringComparison.Ordinal);
        Assert.Contains("DefaultHistogramBuckets[", error.Message, StringComparison.Ordinal);
    }
}
