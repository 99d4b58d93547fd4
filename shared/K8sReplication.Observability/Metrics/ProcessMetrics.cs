using System.Diagnostics;
using System.Globalization;
using Prometheus;

namespace K8sReplication.Observability.Metrics;

/// <summary>
/// Process and runtime basics, read before each collection:
/// <c>process_resident_memory_bytes</c>, <c>process_cpu_seconds_total</c>,
/// <c>process_start_time_seconds</c>, <c>process_open_fds</c> (Linux),
/// <c>dotnet_gc_heap_size_bytes</c>, <c>dotnet_gc_collections_total{generation}</c> and
/// <c>dotnet_threadpool_threads</c>.
/// </summary>
public sealed class ProcessMetrics
{
    private const string FileDescriptorFolder = "/proc/self/fd";

    private readonly Lock _refreshLock = new();
    private readonly Gauge _residentMemory;
    private readonly Counter _cpuSeconds;
    private readonly Gauge _openFileDescriptors;
    private readonly Gauge _heapSize;
    private readonly Counter.Child[] _collections;
    private readonly Gauge _threadPoolThreads;

    private ProcessMetrics(PrometheusMetricFactory factory)
    {
        _residentMemory = factory.Gauge("process_resident_memory_bytes", "Resident memory size of the process in bytes.");
        _cpuSeconds = factory.Counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.");
        var startTime = factory.Gauge("process_start_time_seconds", "Start time of the process since the Unix epoch in seconds.");
        _openFileDescriptors = factory.Gauge("process_open_fds", "Number of open file descriptors.");
        _heapSize = factory.Gauge("dotnet_gc_heap_size_bytes", "Bytes currently thought to be allocated on the managed heap.");
        var collections = factory.Counter("dotnet_gc_collections_total", "Garbage collections since the process started, by generation.", "generation");
        _threadPoolThreads = factory.Gauge("dotnet_threadpool_threads", "Number of thread pool threads.");

        using (var process = Process.GetCurrentProcess())
        {
            startTime.Set(new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero).ToUnixTimeMilliseconds() / 1000.0);
        }

        _collections = new Counter.Child[GC.MaxGeneration + 1];
        for (var generation = 0; generation < _collections.Length; generation++)
        {
            _collections[generation] = collections.WithLabels("gen" + generation.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Defines the process metrics on <paramref name="factory"/>'s registry and refreshes them before each collection.</summary>
    public static void Register(PrometheusMetricFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        var metrics = new ProcessMetrics(factory);
        factory.Registry.AddBeforeCollectCallback(metrics.Refresh);
    }

    private void Refresh()
    {
        lock (_refreshLock)
        {
            _residentMemory.Set(Environment.WorkingSet);
            _cpuSeconds.IncTo(Environment.CpuUsage.TotalTime.TotalSeconds);
            _heapSize.Set(GC.GetTotalMemory(forceFullCollection: false));
            _threadPoolThreads.Set(ThreadPool.ThreadCount);
            for (var generation = 0; generation < _collections.Length; generation++)
            {
                _collections[generation].IncTo(GC.CollectionCount(generation));
            }

            // No sample where procfs does not exist. The enumeration itself holds one descriptor open; it is not the process's own.
            if (OperatingSystem.IsLinux() && Directory.Exists(FileDescriptorFolder))
            {
                _openFileDescriptors.Set(Directory.EnumerateFileSystemEntries(FileDescriptorFolder).LongCount() - 1);
            }
        }
    }
}
