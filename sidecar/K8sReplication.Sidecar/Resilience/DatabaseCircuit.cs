using K8sReplication.Sidecar.Configuration;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Resilience;

/// <summary>
/// The circuit around the local database, one per sidecar: repeated busy, locked or I/O errors open it, and while it
/// is open nothing is applied (status reports <c>acceptingWrites: false</c>) until a probe succeeds.
/// </summary>
internal sealed class DatabaseCircuit(TimeProvider time)
    : CircuitBreaker(SidecarDefaults.DatabaseCircuitFailureThreshold, SidecarDefaults.DatabaseCircuitOpenTime, time)
{
    /// <summary>
    /// Busy, locked, I/O, full or unopenable database: the circuit's business. Other errors (constraints, bugs)
    /// are the batch's problem and back off in the caller without blocking every peer.
    /// </summary>
    public static bool IsDatabaseFault(SqliteException e) => e.SqliteErrorCode is 5 or 6 or 10 or 13 or 14;
}
