using K8sReplication.Contracts.Config;

namespace K8sReplication.Sidecar.Configuration;

/// <summary>A validated, fully resolved configuration (defaults applied). Immutable; replaced as a whole on change.</summary>
internal sealed record SidecarSettings
{
    public required SidecarConfig Source { get; init; }
    public string? Mesh { get; init; }
    public long Generation { get; init; }
    public required string NodeName { get; init; }
    public required string Database { get; init; }
    public IReadOnlyList<string>? Tables { get; init; }
    public required ListenAddress Listen { get; init; }
    public required ListenAddress AdminListen { get; init; }
    public IReadOnlyList<PeerSettings> Peers { get; init; } = [];
    public string? TokenFile { get; init; }
    public string? StateDir { get; init; }

    /// <summary>Mutual TLS on the replication port and to peers, or null for plain HTTP.</summary>
    public TlsSettings? Tls { get; init; }
    public Topology Topology { get; init; }
    public int BatchSize { get; init; } = HotPathConfig.DefaultBatchSize;
    public TimeSpan Wait { get; init; }
    public long MaxBatchBytes { get; init; } = HotPathConfig.DefaultMaxBatchBytes;
    public long MaxRowBytes { get; init; } = HotPathConfig.DefaultMaxRowBytes;

    /// <summary>Content coding asked of peers (<c>gzip</c>, <c>br</c>), or null for none.</summary>
    public string? Compression { get; init; }

    /// <summary>Nice value of the sidecar's threads (applied at start).</summary>
    public int Niceness { get; init; } = HotPathConfig.DefaultNiceness;
    /// <summary>The Redis transport's settings when the mesh's changes travel through Redis streams; null for the HTTP feeds.</summary>
    public RedisSettings? Redis { get; init; }

    public TimeSpan AntiEntropyInterval { get; init; }
    public int AntiEntropyBudget { get; init; } = AntiEntropyConfig.DefaultBudget;
    public TimeSpan AntiEntropyTimeout { get; init; }
    public TimeSpan MaxClockSkew { get; init; }
    public TimeSpan TombstoneTtl { get; init; }

    /// <summary>Conflict-log entries older than this are deleted.</summary>
    public TimeSpan ConflictMaxAge { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Only the newest this many conflict-log entries are kept.</summary>
    public int ConflictMaxEntries { get; init; } = ConflictRetentionConfig.DefaultMaxEntries;

    /// <summary>How long SIGTERM waits for a peer to fetch every change only this member holds.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public bool Paused { get; init; }

    /// <summary>Continuous backup, or null when none is configured.</summary>
    public BackupSettings? Backup { get; init; }
}
