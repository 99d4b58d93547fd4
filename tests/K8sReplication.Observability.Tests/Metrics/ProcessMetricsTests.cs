using K8sReplication.Observability.Metrics;
using static K8sReplication.Observability.Tests.Metrics.Exposition;

namespace K8sReplication.Observability.Tests.Metrics;

public sealed class ProcessMetricsTests
{
    [Fact]
    public async Task ProcessMetrics_ReportPlausibleValuesAtScrapeTime()
    {
        var factory = NewFactory();
        ProcessMetrics.Register(factory);

        var text = await ScrapeAsync(factory.Registry);

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
    public async Task CpuSeconds_IsReadAgainAtEveryScrape()
    {
        var factory = NewFactory();
        ProcessMetrics.Register(factory);
        var before = Value(await ScrapeAsync(factory.Registry), "process_cpu_seconds_total");
        var spinUntil = Environment.CpuUsage.TotalTime + TimeSpan.FromMilliseconds(50);
        while (Environment.CpuUsage.TotalTime < spinUntil)
        {
            Thread.SpinWait(1000);
        }

        var after = Value(await ScrapeAsync(factory.Registry), "process_cpu_seconds_total");

        Assert.True(after >= before + 0.04, $"before {before}, after 50 ms of CPU {after}");
    }

    [Fact]
    public async Task OpenFds_FollowFilesOpenedByTheProcess()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // /proc/self/fd only exists on Linux; the metric has no sample elsewhere.
        }

        var factory = NewFactory();
        ProcessMetrics.Register(factory);
        var path = Path.GetTempFileName();
        try
        {
            // Other tests open and close files concurrently, so compare against many extra descriptors.
            var before = Value(await ScrapeAsync(factory.Registry), "process_open_fds");
            var files = Enumerable.Range(0, 200).Select(_ => File.OpenRead(path)).ToList();
            var during = Value(await ScrapeAsync(factory.Registry), "process_open_fds");
            files.ForEach(f => f.Dispose());

            Assert.True(during >= before + 100, $"before {before}, with 200 more files open {during}");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
