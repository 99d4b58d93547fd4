namespace K8sReplication.Sidecar.Storage;

/// <summary>What ApplyBatch did with the changes of one table (categories are exclusive per change).</summary>
internal sealed record TableApplyStats(int Applied, int SkippedOlder, int SkippedDuplicate, int ConflictsLost, int RejectedFuture, int RejectedSchema);
