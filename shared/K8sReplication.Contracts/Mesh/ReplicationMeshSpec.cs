using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace K8sReplication.Contracts.Mesh;

/// <summary>Desired state of a ReplicationMesh.</summary>
[Description("Desired state of the mesh.")]
public sealed record ReplicationMeshSpec
{
    /// <summary>Default of <see cref="MaxClockSkew"/>.</summary>
    public const string DefaultMaxClockSkew = "5m";

    /// <summary>Default of <see cref="TombstoneTtl"/>.</summary>
    public const string DefaultTombstoneTtl = "168h";

    /// <summary>Member pods.</summary>
    [Required]
    [Description("Selects the member pods (in the mesh's namespace).")]
    public LabelSelector Selector { get; init; } = new();

    /// <summary>Database and tables.</summary>
    [Description("The SQLite database the members replicate.")]
    public DatabaseSpec? Database { get; init; }

    /// <summary>Replication port used when a pod has no container port named k8srepl.</summary>
    [Range(1, 65535)]
    [DefaultValue(WellKnown.ReplicationPort)]
    [Description("Replication API port, used when a member pod has no container port named k8srepl.")]
    public int? ReplicationPort { get; init; }

    /// <summary>Admin port used when a pod has no container port named k8srepl-admin.</summary>
    [Range(1, 65535)]
    [DefaultValue(WellKnown.AdminPort)]
    [Description("Admin API port, used when a member pod has no container port named k8srepl-admin.")]
    public int? AdminPort { get; init; }

    /// <summary>Cold-path settings.</summary>
    [Description("Merkle-tree anti-entropy settings.")]
    public AntiEntropySpec? AntiEntropy { get; init; }

    /// <summary>Hot-path settings.</summary>
    [Description("Change-feed settings.")]
    public HotPathSpec? HotPath { get; init; }

    /// <summary>Member graph.</summary>
    [Description("How members are connected.")]
    public TopologySpec? Topology { get; init; }

    /// <summary>Fallback tombstone lifetime.</summary>
    [RegularExpression(DurationPattern.Regex)]
    [DefaultValue(DefaultTombstoneTtl)]
    [Description("How long a delete (tombstone) is kept when no mesh-wide horizon is known. A member away longer must resync.")]
    public string? TombstoneTtl { get; init; }

    /// <summary>Conflict-log retention.</summary>
    [Description("How long and how many conflict-log entries each member keeps: the local writes it discarded because a concurrent write won, served at GET /v1/conflicts on the admin port.")]
    public ConflictRetentionSpec? ConflictRetention { get; init; }

    /// <summary>Continuous backup to object storage; absent means no backup.</summary>
    [Description("Continuous backup of every member to object storage, restorable to any point in the retention window (see docs/backup.md). Absent: no backup.")]
    public BackupSpec? Backup { get; init; }

    /// <summary>Future-clock guard.</summary>
    [RegularExpression(DurationPattern.Regex)]
    [DefaultValue(DefaultMaxClockSkew)]
    [Description("Versions further ahead of a member's wall clock than this are rejected.")]
    public string? MaxClockSkew { get; init; }

    /// <summary>Mutual TLS between members.</summary>
    [Description("Mutual TLS between members. Absent: mode Operator, the operator issues the certificates.")]
    public TlsSpec? Tls { get; init; }

    /// <summary>NetworkPolicy in front of the replication port.</summary>
    [Description("The NetworkPolicy the operator keeps in front of the members' replication port. Absent: mode Operator, other ports Open.")]
    public NetworkPolicySpec? NetworkPolicy { get; init; }

    /// <summary>Bearer-token Secret.</summary>
    [Description("Secret holding the bearer token shared by the sidecars and the operator.")]
    public SecretReference? AuthSecretRef { get; init; }

    /// <summary>Stop pushing configuration; keep reporting.</summary>
    [DefaultValue(false)]
    [Description("When true the operator stops pushing configuration but keeps reporting status.")]
    public bool? Paused { get; init; }
}
