namespace K8sReplication.Observability.Metrics;

/// <summary>
/// One histogram series: a non-cumulative count per bucket (the last slot is the +Inf overflow) and
/// the sum. The exported <c>_count</c> is derived from the bucket counts of the same snapshot, so
/// <c>le="+Inf"</c> always equals <c>_count</c> even while recording continues.
/// </summary>
internal sealed class HistogramSeries(LabelSet labels, int boundaryCount)
{
    private readonly long[] _buckets = new long[boundaryCount + 1];
    private double _sum;

    public LabelSet Labels { get; } = labels;

    public void Record(int bucket, double value)
    {
        Interlocked.Increment(ref _buckets[bucket]);
        AtomicDouble.Add(ref _sum, value);
    }

    /// <summary>Copies the per-bucket counts (non-cumulative) into <paramref name="into"/> and returns the sum.</summary>
    public double Snapshot(long[] into)
    {
        for (var i = 0; i < _buckets.Length; i++)
        {
            into[i] = Interlocked.Read(ref _buckets[i]);
        }

        return Volatile.Read(ref _sum);
    }
}
