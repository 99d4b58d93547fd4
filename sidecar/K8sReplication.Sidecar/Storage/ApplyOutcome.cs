namespace K8sReplication.Sidecar.Storage;

/// <summary>What ApplyBatch did with one change (indexes the per-table counters).</summary>
internal enum ApplyOutcome
{
    Applied = 0,
    SkippedOlder = 1,
    SkippedDuplicate = 2,
    ConflictsLost = 3,
    RejectedFuture = 4,
    RejectedSchema = 5,
}
