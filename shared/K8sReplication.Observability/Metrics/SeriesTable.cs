using System.Collections.Concurrent;

namespace K8sReplication.Observability.Metrics;

/// <summary>
/// The series of one instrument, keyed by label set. Lookups of existing series are lock-free and
/// allocation-free; the number of series is capped so a runaway label (an id, a timestamp) cannot
/// grow memory without bound — measurements for series beyond the cap are dropped and counted.
/// </summary>
internal sealed class SeriesTable<TSeries>
    where TSeries : class
{
    private readonly ConcurrentDictionary<LabelSet, TSeries> _series = new(LabelSetComparer.Instance);
    private readonly ConcurrentDictionary<LabelSet, TSeries>.AlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>> _bySpan;
    private readonly Func<LabelSet, TSeries> _create;
    private readonly int _maxSeries;
    private int _count;
    private long _dropped;

    public SeriesTable(Func<LabelSet, TSeries> create, int maxSeries)
    {
        _create = create;
        _maxSeries = maxSeries;
        _bySpan = _series.GetAlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>>();
    }

    /// <summary>Measurements dropped because the series cap was reached.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public int Count => Volatile.Read(ref _count);

    /// <summary>The series for these tags, created when new; null when the cap refuses a new series.</summary>
    public TSeries? GetOrAdd(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_bySpan.TryGetValue(tags, out var existing))
        {
            return existing;
        }

        // Reserve a slot first so concurrent creators can never overshoot the cap.
        if (Interlocked.Increment(ref _count) > _maxSeries)
        {
            Interlocked.Decrement(ref _count);
            Interlocked.Increment(ref _dropped);
            return null;
        }

        var labels = LabelSet.From(tags);
        var created = _create(labels);
        if (_series.TryAdd(labels, created))
        {
            return created;
        }

        Interlocked.Decrement(ref _count);
        return _bySpan.TryGetValue(tags, out existing) ? existing : null;
    }

    /// <summary>
    /// The current series. Enumerating the dictionary (unlike its Values property) takes no locks, so
    /// a scrape never stalls recorders creating new series.
    /// </summary>
    public IEnumerable<TSeries> Snapshot() => _series.Select(static pair => pair.Value);

    public void RemoveWhere(Func<TSeries, bool> stale)
    {
        foreach (var pair in _series)
        {
            if (stale(pair.Value) && _series.TryRemove(pair))
            {
                Interlocked.Decrement(ref _count);
            }
        }
    }
}
