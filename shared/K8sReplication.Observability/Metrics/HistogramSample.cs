namespace K8sReplication.Observability.Metrics;

/// <summary>A scrape-time snapshot of one histogram series (possibly merged from several instruments).</summary>
internal sealed class HistogramSample(int bucketSlots)
{
    private readonly long[] _scratch = new long[bucketSlots];

    /// <summary>Non-cumulative counts; the last slot is the +Inf overflow.</summary>
    public long[] Buckets { get; } = new long[bucketSlots];

    public double Sum { get; private set; }

    /// <summary>Total observations: by construction equal to the +Inf cumulative bucket.</summary>
    public long Count
    {
        get
        {
            long total = 0;
            foreach (var bucket in Buckets)
            {
                total += bucket;
            }

            return total;
        }
    }

    public void Add(HistogramSeries series)
    {
        Sum += series.Snapshot(_scratch);
        for (var i = 0; i < Buckets.Length; i++)
        {
            Buckets[i] += _scratch[i];
        }
    }
}
