namespace K8sReplication.Sidecar.Storage;

/// <summary>Hybrid logical clock arithmetic (design 3.2): high 48 bits wall-clock ms, low 16 bits a counter.</summary>
internal static class HybridClock
{
    public const int CounterBits = 16;

    public static long FromMilliseconds(long unixMs) => unixMs << CounterBits;

    public static long ToMilliseconds(long hlc) => hlc >> CounterBits;

    /// <summary>
    /// SQL (valid since SQLite 3.24: no unixepoch('subsec')) for the next local HLC inside a capture trigger:
    /// max(last log entry + 1, clock floor + 1, wall-clock ms &lt;&lt; 16). julianday('now') has millisecond resolution;
    /// adding 0.5 before truncating removes the floating-point error of converting it back to milliseconds.
    /// </summary>
    public const string NextHlcSql =
        "max(coalesce((SELECT hlc FROM __repl_log ORDER BY seq DESC LIMIT 1), 0) + 1, " +
        "(SELECT clock_floor FROM __repl_state WHERE id = 0) + 1, " +
        "CAST((julianday('now') - 2440587.5) * 86400000.0 + 0.5 AS INTEGER) << 16)";
}
