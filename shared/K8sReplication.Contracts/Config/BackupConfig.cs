namespace K8sReplication.Contracts.Config;

/// <summary>
/// Continuous backup of one member to object storage: where to archive (<c>file:///abs/path</c> or
/// <c>s3://bucket/prefix</c>), how often, and how long restore points are kept. Null fields mean the default; no
/// <see cref="Url"/> means no backup.
/// </summary>
public sealed record BackupConfig
{
    /// <summary>Default of <see cref="Interval"/>.</summary>
    public const string DefaultInterval = "10s";

    /// <summary>Default of <see cref="SnapshotInterval"/>.</summary>
    public const string DefaultSnapshotInterval = "24h";

    /// <summary>Default of <see cref="Retention"/>.</summary>
    public const string DefaultRetention = "168h";

    /// <summary>Where the archive lives: <c>file:///abs/path</c> or <c>s3://bucket/prefix</c>.</summary>
    public string? Url { get; init; }

    /// <summary>S3 endpoint override for S3-compatible stores (MinIO, Ceph, R2); implies path-style addressing.</summary>
    public string? Endpoint { get; init; }

    /// <summary>How often the member archives the changes it captured (duration, default 10s).</summary>
    public string? Interval { get; init; }

    /// <summary>How often a base snapshot is taken (duration, default 24h); one member of the mesh takes each.</summary>
    public string? SnapshotInterval { get; init; }

    /// <summary>Every point in time this far back stays restorable (duration, default 168h).</summary>
    public string? Retention { get; init; }

    /// <summary>
    /// S3 credentials pushed by the operator from the mesh's credentials Secret; when null the SDK's default chain
    /// (environment, web identity, instance profile) is used. Never shown; a sidecar keeps the pushed copy in its state
    /// directory in an owner-only file, so a restart finds them again.
    /// </summary>
    public BackupCredentials? Credentials { get; init; }
}

/// <summary>Static S3 credentials (and optionally the region) for a member's backup.</summary>
public sealed record BackupCredentials
{
    /// <summary>Access key id.</summary>
    public string? AccessKeyId { get; init; }

    /// <summary>Secret access key.</summary>
    public string? SecretAccessKey { get; init; }

    /// <summary>Session token of temporary credentials (optional).</summary>
    public string? SessionToken { get; init; }

    /// <summary>Region of the bucket (optional; the SDK's region chain, then us-east-1, when absent).</summary>
    public string? Region { get; init; }

    /// <summary>Never prints the secrets.</summary>
    public override string ToString() => $"BackupCredentials {{ AccessKeyId = {(AccessKeyId is null ? "null" : "***")}, Region = {Region} }}";
}
