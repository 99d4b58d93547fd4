using System.Diagnostics.Metrics;
using System.Globalization;
using K8sReplication.Observability.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace K8sReplication.Observability.Tests.Metrics;

public sealed class ProcessMetricsTests
{
    private static double Value(string text, string series)
    {
        var line = text.Split('\n').SingleOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"series {series} missing from:\n{text}");
        return double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
    }

    [Fact]
    public void ProcessMetrics_ReportPlausibleValuesAtScrapeTime()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        var options = new PrometheusExporterOptions { MeterScope = factory };
        options.MeterNames.Add(ProcessMetrics.MeterName);
        using var collector = new PrometheusMetricsCollector(options);
        using var process = new ProcessMetrics(factory);

        var text = collector.Scrape();

        Assert.True(Value(text, "process_resident_memory_bytes") > 1024 * 1024);
        Assert.True(Value(text, "process_cpu_seconds_total") > 0);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        var started = Value(text, "process_start_time_seconds");
        Assert.InRange(started, now - TimeSpan.FromDays(1).TotalSeconds, now + 1);
        Assert.True(Value(text, "dotnet_gc_heap_size_bytes") > 0);
        Assert.True(Value(text, "dotnet_threadpool_threads") >= 0);
        for (var generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            Assert.True(Value(text, $"dotnet_gc_collections_total{{generation=\"gen{generation}\"}}") >= 0);
        }

        if (OperatingSystem.IsLinux())
        {
            Assert.True(Value(text, "process_open_fds") > 0);
        }
    }

    [Fact]
    public void OpenFds_FollowFilesOpenedByTheProcess()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // /proc/self/fd only exists on Linux; the metric is simply absent elsewhere.
        }

        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        var options = new PrometheusExporterOptions { MeterScope = factory };
        options.MeterNames.Add(ProcessMetrics.MeterName);
        using var collector = new PrometheusMetricsCollector(options);
        using var process = new ProcessMetrics(factory);
        var path = Path.GetTempFileName();
        try
        {
            // Other tests open and close files concurrently, so compare against many extra descriptors.
            var before = Value(collector.Scrape(), "process_open_fds");
            var files = Enumerable.Range(0, 200).Select(_ => File.OpenRead(path)).ToList();
            var during = Value(collector.Scrape(), "process_open_fds");
            files.ForEach(f => f.Dispose());

            Assert.True(during >= before + 100, $"before {before}, with 200 more files open {during}");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
