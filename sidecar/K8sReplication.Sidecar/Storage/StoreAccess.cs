using System.Diagnostics.CodeAnalysis;

namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// The replica store once the engine has opened it. It exists before the store does, so the listeners and probes come
/// up while the store opens (or fails to); the engine publishes the store exactly once at start and takes it back when
/// it closes. Loops start after the engine, so each takes the store once and holds it; endpoints and probes ask on
/// every use.
/// </summary>
internal sealed class StoreAccess
{
    private ReplicaStore? _store;

    /// <summary>Whether the store is open now (published and not closed).</summary>
    public bool IsOpen => Volatile.Read(ref _store) is not null;

    /// <summary>The open store; throws before it is open and after it closed.</summary>
    public ReplicaStore Store => Volatile.Read(ref _store) ?? throw new InvalidOperationException("the replica store is not open");

    public bool TryGet([NotNullWhen(true)] out ReplicaStore? store)
    {
        store = Volatile.Read(ref _store);
        return store is not null;
    }

    /// <summary>Makes the opened store available (once).</summary>
    public void Publish(ReplicaStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (Interlocked.CompareExchange(ref _store, store, null) is not null)
        {
            throw new InvalidOperationException("the replica store is already open");
        }
    }

    /// <summary>Withdraws the store (at close); the caller disposes it.</summary>
    public ReplicaStore? Take() => Interlocked.Exchange(ref _store, null);
}
