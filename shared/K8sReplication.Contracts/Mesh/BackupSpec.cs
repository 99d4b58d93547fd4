using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using K8sReplication.Contracts.Config;

namespace K8sReplication.Contracts.Mesh;

/// <summary>
/// Continuous backup of every member to object storage. Each member archives under
/// <c>&lt;url&gt;/&lt;namespace&gt;/&lt;mesh&gt;/</c>, so several meshes can share one bucket.
/// </summary>
[CelRule("!has(self.retention) || !has(self.snapshotInterval) || duration(self.retention) >= duration(self.snapshotInterval)",
    "backup.retention must be at least backup.snapshotInterval: a restore needs a base snapshot inside the retention window")]
public sealed record BackupSpec
{
    /// <summary>Pattern of <see cref="Url"/>: an absolute <c>file:///</c> path or an <c>s3://bucket[/prefix]</c>.</summary>
    public const string UrlPattern = "^(file:///[^?#]+|s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[^?#]*)?)$";

    /// <summary>Pattern of <see cref="Endpoint"/>.</summary>
    public const string EndpointPattern = "^https?://[^/?#]+(/[^?#]*)?$";

    /// <summary>Where the archive lives; the operator appends the mesh's namespace and name.</summary>
    [Required]
    [StringLength(1024, MinimumLength = 1)]
    [RegularExpression(UrlPattern)]
    [Description("Archive location: file:///absolute/path (a volume every member mounts) or s3://bucket[/prefix]. Each mesh archives under <url>/<namespace>/<mesh>/.")]
    public string Url { get; init; } = "";

    /// <summary>S3 endpoint override.</summary>
    [StringLength(1024, MinimumLength = 1)]
    [RegularExpression(EndpointPattern)]
    [Description("S3 endpoint for S3-compatible stores (MinIO, Ceph, R2), e.g. https://minio.storage:9000; path-style addressing is used. Absent: AWS S3.")]
    public string? Endpoint { get; init; }

    /// <summary>How often each member archives its captured changes.</summary>
    [StringLength(32, MinimumLength = 2)]
    [RegularExpression(DurationPattern.Regex)]
    [CelRule("duration(self) >= duration('1s')", "backup.interval must be at least 1s")]
    [DefaultValue(BackupConfig.DefaultInterval)]
    [Description("How often each member archives the changes it captured (at least 1s). The restore point lags by about this much.")]
    public string? Interval { get; init; }

    /// <summary>How often a base snapshot is taken.</summary>
    [StringLength(32, MinimumLength = 2)]
    [RegularExpression(DurationPattern.Regex)]
    [CelRule("duration(self) >= duration('1m')", "backup.snapshotInterval must be at least 1m")]
    [DefaultValue(BackupConfig.DefaultSnapshotInterval)]
    [Description("How often a base snapshot of the database is taken (at least 1m); a restore replays the archived changes since the snapshot before the target time.")]
    public string? SnapshotInterval { get; init; }

    /// <summary>How far back every point in time stays restorable.</summary>
    [StringLength(32, MinimumLength = 2)]
    [RegularExpression(DurationPattern.Regex)]
    [DefaultValue(BackupConfig.DefaultRetention)]
    [Description("Every point in time this far back stays restorable; older snapshots and changes are deleted. At least snapshotInterval.")]
    public string? Retention { get; init; }

    /// <summary>Secret holding static S3 credentials.</summary>
    [Description("Secret in the mesh's namespace with S3 credentials (keys accessKeyId, secretAccessKey, optional sessionToken and region), pushed to the members. It must carry the label replication.k8srepl.dev/mesh-backup=\"true\". Absent: the members use their own credential chain (environment, web identity, instance profile).")]
    public BackupCredentialsSecretReference? CredentialsSecretRef { get; init; }
}
