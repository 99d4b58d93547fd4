namespace K8sReplication.Sidecar.Storage;

/// <summary>Hybrid logical clock arithmetic: high 48 bits wall-clock ms, low 16 bits a counter.</summary>
internal static class HybridClock
{
    public const int CounterBits = 16;

    public static long FromMilliseconds(long unixMs) => unixMs << CounterBits;

    public static long ToMilliseconds(long hlc) => hlc >> CounterBits;

    /// <summary>
    /// SQL (valid since SQLite 3.24: no unixepoch('subsec')) for the next local HLC inside a capture trigger:
    /// max(last log entry + 1, wall-clock ms &lt;&lt; 16). The clock floor is not read here: the store keeps it in the log
    /// itself (a clock entry, table id 0, whenever the floor rises above the last entry; see RaiseClockFloor), so the
    /// last entry is always at or above the floor and one indexed read of the log's last row covers both rules. That
    /// saves the trigger a subquery per row (the trigger should be as cheap as an append).
    /// julianday('now') has millisecond resolution; adding 0.5 before truncating removes the floating-point error of
    /// converting it back to milliseconds.
    /// </summary>
    public const string NextHlcSql =
        "max(coalesce((SELECT hlc FROM __repl_log ORDER BY seq DESC LIMIT 1), 0) + 1, " +
        "CAST((julianday('now') - 2440587.5) * 86400000.0 + 0.5 AS INTEGER) << 16)";

    /// <summary>Table id of clock entries in the capture log (registered tables start at 1).</summary>
    public const long ClockEntryTable = 0;
}
