namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// One write that lost, as kept in the conflict log: the table and key, why it lost (<see cref="ConflictReasons"/>),
/// the losing version with its full row image (null for a losing delete), the version that won, and when this member
/// discarded it.
/// </summary>
internal sealed record ConflictEntry(long Id, string Table, byte[] Key, string Reason, RowVersion Loser,
    IReadOnlyList<object?>? LoserValues, RowVersion Winner, DateTimeOffset At);

/// <summary>Why a write lost.</summary>
internal static class ConflictReasons
{
    /// <summary>A concurrent write of the same key had the greater (hlc, site).</summary>
    public const string Lww = "lww";

    /// <summary>Another row took the same value of a unique index with a greater version; this row was removed.</summary>
    public const string Unique = "unique";

    /// <summary>A concurrent delete of the row had the greater version.</summary>
    public const string Deleted = "deleted";

    /// <summary>
    /// A write of a member that was away longer than <c>tombstoneTtl</c>, which no peer received before the peer
    /// collected, by age, deletes that may have superseded it: dropped when the member resynchronised (the winner is the
    /// peer's site and the newest such delete's HLC).
    /// </summary>
    public const string Expired = "expired";

    public static IReadOnlyList<string> All { get; } = [Lww, Unique, Deleted, Expired];
}

/// <summary>How long and how many conflict-log entries are kept (the oldest go first).</summary>
internal sealed record ConflictRetention(TimeSpan MaxAge, int MaxEntries)
{
    public static ConflictRetention Default { get; } = new(TimeSpan.FromDays(7), 100_000);
}
