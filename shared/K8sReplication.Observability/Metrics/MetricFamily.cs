namespace K8sReplication.Observability.Metrics;

/// <summary>
/// One exported metric family: a Prometheus name with one type, help text and (for histograms)
/// bucket bounds. Instruments that map to the same name and agree on type and bounds share it, so
/// the output never carries two families of one name.
/// </summary>
internal sealed class MetricFamily(string name, MetricType type, string help, double[] bounds)
{
    public string Name { get; } = name;

    public MetricType Type { get; } = type;

    public string Help { get; } = help;

    /// <summary>Histogram bucket upper bounds, sorted, finite, distinct; empty for counters and gauges.</summary>
    public double[] Bounds { get; } = bounds;

    /// <summary>The instruments exported in this family; guarded by the collector's registry lock.</summary>
    public List<InstrumentState> Instruments { get; } = [];

    public bool IsCompatibleWith(MetricType type, double[] bounds) =>
        Type == type && Bounds.AsSpan().SequenceEqual(bounds);
}
