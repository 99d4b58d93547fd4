using System.Diagnostics.Metrics;
using K8sReplication.Observability.Metrics;

namespace K8sReplication.Observability.Tests.Metrics;

/// <summary>
/// A meter with a name unique to one test plus a collector listening only to it: MeterListener sees
/// every meter in the process, so tests running in parallel must never share meter names.
/// </summary>
internal sealed class TestMeter : IDisposable
{
    public TestMeter(Action<PrometheusExporterOptions>? configure = null)
    {
        Name = "Test." + Guid.NewGuid().ToString("N");
        Meter = new Meter(Name);
        var options = new PrometheusExporterOptions();
        options.MeterNames.Add(Name);
        configure?.Invoke(options);
        Collector = new PrometheusMetricsCollector(options);
    }

    public string Name { get; }

    public Meter Meter { get; }

    public PrometheusMetricsCollector Collector { get; }

    public string Scrape() => Collector.Scrape();

    public void Dispose()
    {
        Collector.Dispose();
        Meter.Dispose();
    }
}
