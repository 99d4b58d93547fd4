namespace K8sReplication.Contracts.Health;

/// <summary>
/// Continuous backup of one member, in <c>backup</c> of <c>GET /v1/status</c> (absent when no backup is configured).
/// </summary>
public sealed record BackupHealth
{
    /// <summary>The archive this member writes to (the configured URL; it never holds credentials).</summary>
    public string Url { get; init; } = "";

    /// <summary>When the last archive round (segment upload, or nothing to upload) succeeded.</summary>
    public DateTimeOffset? LastSuccessAt { get; init; }

    /// <summary>When the last base snapshot this member took was uploaded.</summary>
    public DateTimeOffset? LastSnapshotAt { get; init; }

    /// <summary>This member's own changes are archived up to this local seq.</summary>
    public long ArchivedSeq { get; init; }

    /// <summary>Changes this member captured that are not archived yet.</summary>
    public long PendingChanges { get; init; }

    /// <summary>The last archive failure, cleared by the next success.</summary>
    public string? LastError { get; init; }
}
