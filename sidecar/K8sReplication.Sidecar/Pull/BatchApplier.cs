using System.Diagnostics;
using K8sReplication.Sidecar.Metrics;
using K8sReplication.Sidecar.Resilience;
using K8sReplication.Sidecar.Storage;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Pull;

/// <summary>
/// The single way remote changes enter the store (tailers and anti-entropy): applies through
/// <see cref="ReplicaStore.ApplyBatch"/> (one transaction, cursor included), accounts metrics, drives the local
/// database circuit and wakes feed readers so forwarded changes flow on.
/// </summary>
internal sealed class BatchApplier(StoreAccess replica, DatabaseCircuit databaseCircuit, ChangeSignal signal, SidecarMetrics metrics)
{
    private long _rejectedFuture;

    public long RejectedFutureTotal => Interlocked.Read(ref _rejectedFuture);

    /// <summary>Applies or throws; a database failure counts against the local circuit.</summary>
    public ApplyResult Apply(IReadOnlyList<Change> changes, string cursorKey, string cursorValue,
        IReadOnlyDictionary<string, string>? senderSchemaHashes, string peer, string? heldKeyPrefix = null)
    {
        var started = Stopwatch.GetTimestamp();
        var foldedBefore = replica.Store.FoldConsumed;
        ApplyResult result;
        try
        {
            // The apply folds what is pending first, in its one transaction (last-writer-wins must see every local
            // write); while the app writes heavily that can be a long backlog, so most of it goes in short slices.
            while (replica.Store.Fold(ReplicaStore.FoldSliceEntries) == ReplicaStore.FoldSliceEntries)
            {
            }

            result = replica.Store.ApplyBatch(changes, cursorKey, cursorValue, senderSchemaHashes, heldKeyPrefix);
        }
        catch (SqliteException e) when (DatabaseCircuit.IsDatabaseFault(e))
        {
            databaseCircuit.RecordFailure();
            throw;
        }

        databaseCircuit.RecordSuccess();
        metrics.BatchDuration.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        var peerMetrics = metrics.ForPeer(peer);
        peerMetrics.ChangesApplied.Inc(result.Applied);
        Skipped(result.SkippedOlder, "older");
        Skipped(result.SkippedDuplicate, "duplicate");
        Skipped(result.RejectedFuture, "future");
        Skipped(result.RejectedSchema, "schema");
        Skipped(result.ConflictsLost, "conflict");
        // Conflicts are the local writes this batch discarded (each kept in the conflict log), not the incoming
        // changes that lost: those are counted as skipped, and their writer records them when this member's version
        // reaches it.
        CountConflicts(result.ConflictsRecorded);

        Interlocked.Add(ref _rejectedFuture, result.RejectedFuture);
        if (replica.Store.FoldConsumed != foldedBefore || result.ConflictsLost > 0 || result.ConflictsRecorded.Count > 0)
        {
            // The apply folded this member's captures first (a reader may be waiting at a replace guard's check entry
            // for that fold), or settled a unique value with a tombstone that may be this member's: its own changes.
            signal.Notify();
        }
        else if (result.Applied > 0)
        {
            signal.NotifyOthers();
        }

        return result;

        void Skipped(int count, string reason)
        {
            if (count > 0)
            {
                peerMetrics.ChangesSkipped(reason).Inc(count);
            }
        }
    }

    /// <summary>
    /// A resynchronisation's drop of what the peer no longer holds (see <see cref="ReplicaStore.DropAbsentAtPeer"/>),
    /// with the conflict-log entries it writes counted like an apply's.
    /// </summary>
    public StaleDrop DropAbsentAtPeer(Func<string, byte[], bool> peerHolds, long peerAppliedOwn, SiteId peer, long peerUncertain)
    {
        var drop = replica.Store.DropAbsentAtPeer(peerHolds, peerAppliedOwn, peer, peerUncertain);
        CountConflicts(drop.ConflictsRecorded);
        return drop;
    }

    private void CountConflicts(IEnumerable<(string Table, string Reason)> recorded)
    {
        foreach (var ((table, reason), count) in recorded.CountBy(c => c))
        {
            metrics.Conflicts.WithLabels(reason, table).Inc(count);
        }
    }
}
