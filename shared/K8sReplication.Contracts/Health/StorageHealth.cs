namespace K8sReplication.Contracts.Health;

/// <summary>
/// How much disk the member's database takes, in <c>storage</c> of <c>GET /v1/status</c>: the files and the sidecar's
/// bookkeeping (refreshed about twice a second).
/// </summary>
public sealed record StorageHealth
{
    /// <summary>Length of the database file in bytes (the app's tables and the sidecar's bookkeeping).</summary>
    public long DatabaseBytes { get; init; }

    /// <summary>Length of the WAL file in bytes (kept copied into the database; truncated once the database is quiet).</summary>
    public long WalBytes { get; init; }

    /// <summary>Row versions kept: one per live row and one per tombstone.</summary>
    public long Versions { get; init; }

    /// <summary>App changes captured but not folded into versions yet (the capture log's backlog).</summary>
    public long CaptureBacklog { get; init; }
}
