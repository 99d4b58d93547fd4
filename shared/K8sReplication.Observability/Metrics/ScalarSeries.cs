namespace K8sReplication.Observability.Metrics;

/// <summary>One counter or gauge series: a double updated lock-free (compare-and-swap for adds).</summary>
internal sealed class ScalarSeries(LabelSet labels)
{
    private double _value;
    private int _generation;

    public LabelSet Labels { get; } = labels;

    public double Value => Volatile.Read(ref _value);

    /// <summary>The scrape in which an observable instrument last reported this series.</summary>
    public int Generation => Volatile.Read(ref _generation);

    public void Add(double delta)
    {
        AtomicDouble.Add(ref _value, delta);
    }

    public void Set(double value, int generation)
    {
        Volatile.Write(ref _value, value);
        Volatile.Write(ref _generation, generation);
    }
}
