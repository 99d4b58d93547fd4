using System.Collections.Concurrent;
using k8s;
using k8s.Models;

namespace K8sReplication.Operator.Runtime;

/// <summary>
/// The informer's thread-safe view of the objects it watches, keyed by <see cref="ObjectKey"/>. Only the informer
/// writes; readers (event handlers, reconcilers) must treat the objects as immutable snapshots.
/// </summary>
internal sealed class ObjectCache<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly ConcurrentDictionary<string, T> _items = new(StringComparer.Ordinal);

    public int Count => _items.Count;

    public T? Get(string key) => _items.GetValueOrDefault(key);

    public IReadOnlyList<T> List() => [.. _items.Values];

    public IReadOnlyList<T> List(string? @namespace) =>
        [.. _items.Values.Where(o => @namespace is null || o.Metadata.NamespaceProperty == @namespace)];

    /// <summary>Stores the object and returns the one it replaced.</summary>
    internal T? Set(T obj)
    {
        T? old = null;
        _items.AddOrUpdate(ObjectKey.Of(obj), obj, (_, previous) =>
        {
            old = previous;
            return obj;
        });
        return old;
    }

    internal T? Remove(string key) => _items.TryRemove(key, out var old) ? old : null;

    internal IReadOnlyList<string> Keys() => [.. _items.Keys];
}
