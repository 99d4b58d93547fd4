namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// Immutable snapshot of the table registry, swapped atomically on Refresh. <see cref="ById"/> holds every table ever
/// registered (the capture log and version table may still reference them); <see cref="ByName"/> only the tables
/// replicated now.
/// </summary>
internal sealed class TableSet
{
    public static readonly TableSet Empty = new([], []);

    public TableSet(IEnumerable<ReplicaTable> registered, IEnumerable<ReplicaTable> active)
    {
        ById = registered.ToDictionary(t => t.Id);
        ByName = active.ToDictionary(t => t.Name, StringComparer.Ordinal);
        Hashes = ByName.ToDictionary(p => p.Key, p => p.Value.SchemaHash, StringComparer.Ordinal);
    }

    public IReadOnlyDictionary<long, ReplicaTable> ById { get; }

    public IReadOnlyDictionary<string, ReplicaTable> ByName { get; }

    public IReadOnlyDictionary<string, string> Hashes { get; }
}
