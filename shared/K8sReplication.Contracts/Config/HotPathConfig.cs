namespace K8sReplication.Contracts.Config;

/// <summary>Tunables of the hot path (peers tailing each other's change feeds). Null means the default.</summary>
public sealed record HotPathConfig
{
    /// <summary>Default of <see cref="BatchSize"/>.</summary>
    public const int DefaultBatchSize = 1000;

    /// <summary>Default of <see cref="Wait"/>.</summary>
    public const string DefaultWait = "10s";

    /// <summary>Default of <see cref="MaxBatchBytes"/> (1 MiB).</summary>
    public const long DefaultMaxBatchBytes = 1L << 20;

    /// <summary>Default of <see cref="MaxRowBytes"/> (2 MiB).</summary>
    public const long DefaultMaxRowBytes = 2L << 20;

    /// <summary>Default of <see cref="Niceness"/>.</summary>
    public const int DefaultNiceness = 10;

    /// <summary>Largest number of changes fetched and applied in one batch (1–10000).</summary>
    public int? BatchSize { get; init; }

    /// <summary>Long-poll wait of a change-feed request (duration, 0s–60s).</summary>
    public string? Wait { get; init; }

    /// <summary>
    /// Encoded bytes after which a peer's feed answer stops adding changes (64 KiB–256 MiB). This member asks its peers
    /// for batches of at most this size and refuses any answer larger than it plus <see cref="MaxRowBytes"/>.
    /// </summary>
    public long? MaxBatchBytes { get; init; }

    /// <summary>Largest encoded row accepted from a peer (1 KiB–256 MiB); a larger row is refused with its batch.</summary>
    public long? MaxRowBytes { get; init; }

    /// <summary>
    /// Compression this member asks its peers for: <c>none</c> (default: between pods of one cluster the CPU costs more
    /// than the bytes save), <c>gzip</c> or <c>br</c> (for slow or metered links between sites).
    /// </summary>
    public string? Compression { get; init; }

    /// <summary>
    /// Linux nice value (0–19) the sidecar runs its threads at, read at start: when the app and the sidecar compete
    /// for the same CPUs within one cgroup, the app's threads go first. In Kubernetes each container has a cgroup of
    /// its own and the containers' CPU requests set that order instead.
    /// </summary>
    public int? Niceness { get; init; }

    /// <summary>
    /// How changes travel between members: <c>http</c> (default: each member tails its peers' change feeds) or
    /// <c>redis</c> (each member appends its own changes to a Redis stream and tails its peers' streams; anti-entropy
    /// still runs over the peers' HTTP APIs). Read at start.
    /// </summary>
    public string? Transport { get; init; }

    /// <summary>The Redis transport's server and streams; used when <see cref="Transport"/> is <c>redis</c>.</summary>
    public RedisTransportConfig? Redis { get; init; }
}
