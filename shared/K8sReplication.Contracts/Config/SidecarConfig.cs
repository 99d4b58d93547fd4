namespace K8sReplication.Contracts.Config;

/// <summary>
/// Configuration of one sidecar. The same shape comes from flags and environment variables, from the config file
/// (JSON or YAML, the mounted mesh ConfigMap), and from the operator's <c>PUT /v1/config</c>; every source goes
/// through one validation path. Null fields mean "not set by this source" so sources can be layered.
/// </summary>
public sealed record SidecarConfig
{
    /// <summary>Name of the ReplicationMesh this sidecar belongs to (set by the operator).</summary>
    public string? Mesh { get; init; }

    /// <summary>Monotonic configuration generation; a push older than the one in force is refused with 409.</summary>
    public long? Generation { get; init; }

    /// <summary>This member's node name (pod name under the operator).</summary>
    public string? NodeName { get; init; }

    /// <summary>Path of the app's SQLite file. Sidecar-local: never overridden by a push.</summary>
    public string? Database { get; init; }

    /// <summary>Tables to replicate; null or empty means every table with a primary key.</summary>
    public IReadOnlyList<string>? Tables { get; init; }

    /// <summary>Replication API listen address, <c>HOST:PORT</c>.</summary>
    public string? Listen { get; init; }

    /// <summary>Admin API listen address, <c>HOST:PORT</c>.</summary>
    public string? AdminListen { get; init; }

    /// <summary>Peers this member tails.</summary>
    public IReadOnlyList<PeerConfig>? Peers { get; init; }

    /// <summary>File holding the bearer token (mounted Secret). Sidecar-local.</summary>
    public string? TokenFile { get; init; }

    /// <summary>Folder for local state (last good config). Sidecar-local.</summary>
    public string? StateDir { get; init; }

    /// <summary>Mutual TLS on the replication port and for requests to peers; absent means plain HTTP. Sidecar-local.</summary>
    public TlsConfig? Tls { get; init; }

    /// <summary>Mesh topology (decides origin filtering on the feed).</summary>
    public Topology? Topology { get; init; }

    /// <summary>Hot-path tunables.</summary>
    public HotPathConfig? HotPath { get; init; }

    /// <summary>Anti-entropy tunables.</summary>
    public AntiEntropyConfig? AntiEntropy { get; init; }

    /// <summary>Versions further than this ahead of local wall time are rejected (duration, default 5m).</summary>
    public string? MaxClockSkew { get; init; }

    /// <summary>Fallback time a tombstone is kept when no mesh-wide horizon is known (duration, default 168h).</summary>
    public string? TombstoneTtl { get; init; }

    /// <summary>How long and how many conflict-log entries are kept (defaults 168h and 100000).</summary>
    public ConflictRetentionConfig? ConflictRetention { get; init; }

    /// <summary>Continuous backup to object storage; absent means none.</summary>
    public BackupConfig? Backup { get; init; }

    /// <summary>
    /// How long SIGTERM waits for a peer to fetch every change this member holds alone before the sidecar exits
    /// (duration, default 30s; 0s exits at once). Keep it below the pod's termination grace period.
    /// </summary>
    public string? DrainTimeout { get; init; }

    /// <summary>When true the sidecar keeps serving but stops tailing peers.</summary>
    public bool? Paused { get; init; }
}
