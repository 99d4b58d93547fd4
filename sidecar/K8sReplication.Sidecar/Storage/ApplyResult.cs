namespace K8sReplication.Sidecar.Storage;

/// <summary>Outcome of one ApplyBatch (each change counted in exactly one category).</summary>
/// <param name="Applied">Remote version won (including over a concurrent version of another site) and was written.</param>
/// <param name="SkippedOlder">Local version from the same site is newer (stale change).</param>
/// <param name="SkippedDuplicate">Local version is the same (hlc, site): already applied.</param>
/// <param name="ConflictsLost">Remote version lost against a newer version written by another site.</param>
/// <param name="RejectedFuture">Version more than MaxClockSkew ahead of local wall time: not applied; the rest commits.</param>
/// <param name="RejectedSchema">Table schema differs from the sender's: not applied and the cursor is NOT stored.</param>
/// <param name="PerTable">The same counts per table.</param>
internal sealed record ApplyResult(int Applied, int SkippedOlder, int SkippedDuplicate, int ConflictsLost,
    int RejectedFuture, int RejectedSchema, IReadOnlyDictionary<string, TableApplyStats> PerTable)
{
    /// <summary>True when the cursor was stored with the batch (false when changes were held back for schema).</summary>
    public bool CursorStored { get; init; }

    /// <summary>Human-readable reasons for rejected changes (bounded), for logs and health.</summary>
    public IReadOnlyList<string> Rejections { get; init; } = [];

    /// <summary>Local writes this batch discarded and kept in the conflict log: table and reason of each.</summary>
    public IReadOnlyList<(string Table, string Reason)> ConflictsRecorded { get; init; } = [];
}
