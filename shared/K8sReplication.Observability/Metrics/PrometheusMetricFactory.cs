using Prometheus;

namespace K8sReplication.Observability.Metrics;

/// <summary>
/// Defines metrics on one <see cref="CollectorRegistry"/> the way both processes export them: a series appears at its
/// first recording (no zero-valued series for label values never seen, and a gauge observed from optional state has
/// no sample while that state is absent), and no exemplars are attached (nothing here is traced, and the default
/// provider would read the ambient activity on every recording).
/// </summary>
public sealed class PrometheusMetricFactory
{
    private readonly MetricFactory _factory;

    public PrometheusMetricFactory(CollectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        factory.ExemplarBehavior = new ExemplarBehavior { DefaultExemplarProvider = null };
        _factory = factory;
        Registry = registry;
    }

    /// <summary>The registry the metrics are defined on; its before-collect callbacks refresh observed gauges.</summary>
    public CollectorRegistry Registry { get; }

    public Counter Counter(string name, string help, params string[] labelNames) =>
        _factory.CreateCounter(name, EscapeHelp(help), labelNames, new CounterConfiguration { SuppressInitialValue = true });

    public Gauge Gauge(string name, string help, params string[] labelNames) =>
        _factory.CreateGauge(name, EscapeHelp(help), labelNames, new GaugeConfiguration { SuppressInitialValue = true });

    /// <summary>A histogram with explicit bucket upper bounds (the <c>+Inf</c> bucket is implied).</summary>
    public Histogram Histogram(string name, string help, double[] buckets, params string[] labelNames) =>
        _factory.CreateHistogram(name, EscapeHelp(help), labelNames, new HistogramConfiguration { SuppressInitialValue = true, Buckets = buckets });

    /// <summary>prometheus-net writes help text as given; the text format wants backslash and line feed escaped.</summary>
    private static string EscapeHelp(string help) =>
        help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
