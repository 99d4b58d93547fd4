using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace K8sReplication.Observability.Metrics;

/// <summary>
/// Process and runtime basics as observable instruments, read at scrape time:
/// <c>process_resident_memory_bytes</c>, <c>process_cpu_seconds_total</c>,
/// <c>process_start_time_seconds</c>, <c>process_open_fds</c> (Linux),
/// <c>dotnet_gc_heap_size_bytes</c>, <c>dotnet_gc_collections_total{generation}</c> and
/// <c>dotnet_threadpool_threads</c>.
/// </summary>
public sealed class ProcessMetrics : IDisposable
{
    /// <summary>The name of the meter these instruments live on.</summary>
    public const string MeterName = "K8sReplication.Process";

    private const string FileDescriptorFolder = "/proc/self/fd";

    private readonly Meter _meter;
    private readonly double _startTimeSeconds;

    public ProcessMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        using (var process = Process.GetCurrentProcess())
        {
            _startTimeSeconds = new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero).ToUnixTimeMilliseconds() / 1000.0;
        }

        _meter.CreateObservableGauge("process.resident_memory", static () => Environment.WorkingSet, "By",
            "Resident memory size of the process in bytes.");
        _meter.CreateObservableCounter("process.cpu", static () => Environment.CpuUsage.TotalTime.TotalSeconds, "s",
            "Total user and system CPU time spent in seconds.");
        _meter.CreateObservableGauge("process.start_time", () => _startTimeSeconds, "s",
            "Start time of the process since the Unix epoch in seconds.");
        _meter.CreateObservableGauge("process.open_fds", static () => OpenFileDescriptors(), "{fd}",
            "Number of open file descriptors.");
        _meter.CreateObservableGauge("dotnet.gc.heap_size", static () => GC.GetTotalMemory(forceFullCollection: false), "By",
            "Bytes currently thought to be allocated on the managed heap.");
        _meter.CreateObservableCounter("dotnet.gc.collections", static () => Collections(), "{collection}",
            "Garbage collections since the process started, by generation.");
        _meter.CreateObservableGauge("dotnet.threadpool.threads", static () => ThreadPool.ThreadCount, "{thread}",
            "Number of thread pool threads.");
    }

    public void Dispose() => _meter.Dispose();

    /// <summary>Open descriptors from /proc/self/fd; no measurement where procfs does not exist.</summary>
    private static IEnumerable<Measurement<long>> OpenFileDescriptors()
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists(FileDescriptorFolder))
        {
            return [];
        }

        // The enumeration itself holds one descriptor open; it is not the process's own.
        return [new Measurement<long>(Directory.EnumerateFileSystemEntries(FileDescriptorFolder).LongCount() - 1)];
    }

    private static Measurement<long>[] Collections()
    {
        var measurements = new Measurement<long>[GC.MaxGeneration + 1];
        for (var generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            measurements[generation] = new Measurement<long>(
                GC.CollectionCount(generation),
                new KeyValuePair<string, object?>("generation", "gen" + generation.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        return measurements;
    }
}
