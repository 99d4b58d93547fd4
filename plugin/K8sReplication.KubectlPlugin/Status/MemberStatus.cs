namespace K8sReplication.KubectlPlugin.Status;

/// <summary>One row of <c>status</c>: what the member's sidecar reports, or why it could not be read.</summary>
internal sealed record MemberStatus
{
    public string Pod { get; init; } = "";

    public bool Ready { get; init; }

    public string? State { get; init; }

    /// <summary>Largest lag behind any peer, in seconds.</summary>
    public double? LagSeconds { get; init; }

    public string? MerkleRoot { get; init; }

    public long? Rows { get; init; }

    public long? Conflicts { get; init; }

    /// <summary>Digest of every table's schema hash (see <see cref="StatusSummary.SchemaDigest"/>).</summary>
    public string? Schema { get; init; }

    /// <summary>True when this member's schema digest differs from the most common one.</summary>
    public bool SchemaDiffers { get; init; }

    public DateTimeOffset? BackupLastSuccessAt { get; init; }

    public string? BackupError { get; init; }

    public bool BackupConfigured { get; init; }

    /// <summary>Why the sidecar's status could not be read; null when it was.</summary>
    public string? Error { get; init; }
}
