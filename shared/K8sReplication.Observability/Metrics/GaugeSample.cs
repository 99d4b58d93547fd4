namespace K8sReplication.Observability.Metrics;

/// <summary>One value of a labelled gauge read from state at scrape time; the label values follow the gauge's label names.</summary>
public readonly record struct GaugeSample(double Value, string[] LabelValues)
{
    public static GaugeSample Of(double value, params string[] labelValues) => new(value, labelValues);
}
