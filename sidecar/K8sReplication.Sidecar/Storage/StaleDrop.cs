namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// What a resynchronisation dropped (see <see cref="StaleResync"/>): rows (including this member's own writes kept in
/// the conflict log) and tombstones, and the conflict-log entries it wrote, by table and reason.
/// </summary>
internal sealed record StaleDrop(long Rows, long Tombstones, IReadOnlyList<(string Table, string Reason)> ConflictsRecorded);
