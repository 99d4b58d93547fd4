using System.Collections.Concurrent;

namespace K8sReplication.Observability.Metrics;

/// <summary>
/// The labelled children of one metric, created on first use and then found with a lock-free lookup: hot paths hold
/// one of these instead of resolving label values through the metric on every recording.
/// </summary>
public sealed class ChildCache<TKey, TChild>(Func<TKey, TChild> create)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, TChild> _children = new();

    public TChild this[TKey key] => _children.GetOrAdd(key, create);
}
