namespace K8sReplication.Contracts.Health;

/// <summary>
/// Full health of one sidecar, served at <c>GET /v1/status</c> and read by the operator. Computed from state the
/// loops publish; serving it does no network I/O.
/// </summary>
public sealed record SidecarHealth
{
    /// <summary>Engine life-cycle state.</summary>
    public EngineState State { get; init; }

    /// <summary>Running, database open, local circuit closed and first catch-up done.</summary>
    public bool Ready { get; init; }

    /// <summary>Running with no failed component (peers may be down: that is reported, not unhealthy).</summary>
    public bool Healthy { get; init; }

    /// <summary>Peers whose last request succeeded.</summary>
    public int PeersConnected { get; init; }

    /// <summary>Configured peers.</summary>
    public int PeersTotal { get; init; }

    /// <summary>False while the local database circuit is open (the engine stops applying).</summary>
    public bool AcceptingWrites { get; init; }

    /// <summary>This member's site id (32 hex digits).</summary>
    public string SiteId { get; init; } = "";

    /// <summary>This member's node name.</summary>
    public string NodeName { get; init; } = "";

    /// <summary>Mesh name from the config in force.</summary>
    public string? Mesh { get; init; }

    /// <summary>Generation of the config in force.</summary>
    public long ConfigGeneration { get; init; }

    /// <summary>Merkle root (hex) over every replicated row's version.</summary>
    public string MerkleRoot { get; init; } = "";

    /// <summary>Live replicated rows.</summary>
    public long Rows { get; init; }

    /// <summary>Tombstones kept.</summary>
    public long Tombstones { get; init; }

    /// <summary>Tombstone collection: rounds, tombstones collected, the horizon reached, and what holds it back.</summary>
    public TombstoneCollectionHealth TombstoneCollection { get; init; } = new();

    /// <summary>Entries kept in the conflict log now (see <c>GET /v1/conflicts</c>).</summary>
    public long Conflicts { get; init; }

    /// <summary>Continuous backup of this member; null when no backup is configured.</summary>
    public BackupHealth? Backup { get; init; }

    /// <summary>Mutual TLS on the replication port; null when the sidecar runs without TLS.</summary>
    public TlsHealth? Tls { get; init; }

    /// <summary>The Redis transport of the hot path; null with the HTTP transport.</summary>
    public RedisTransportHealth? Redis { get; init; }

    /// <summary>
    /// Config keys in force that only take effect at the sidecar's next start (the transport, the Redis link, the
    /// threads' niceness) and differ from what it started with; null when none does.
    /// </summary>
    public IReadOnlyList<string>? PendingRestart { get; init; }

    /// <summary>Database, WAL and bookkeeping sizes.</summary>
    public StorageHealth Storage { get; init; } = new();

    /// <summary>Schema hash per replicated table.</summary>
    public IReadOnlyDictionary<string, string> SchemaHashes { get; init; } = new Dictionary<string, string>();

    /// <summary>State of the circuit around the local database.</summary>
    public CircuitState DatabaseCircuit { get; init; }

    /// <summary>True once the first catch-up with reachable peers finished.</summary>
    public bool InitialCatchUpDone { get; init; }

    /// <summary>Per-peer state.</summary>
    public IReadOnlyList<PeerHealth> Peers { get; init; } = [];

    /// <summary>Last anti-entropy round against any peer.</summary>
    public AntiEntropyResult? LastAntiEntropy { get; init; }

    /// <summary>Problems worth an operator's attention (tables without a primary key, rejected versions, ...).</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];

    /// <summary>Versions rejected because their clock was too far ahead.</summary>
    public long RejectedFutureVersions { get; init; }

    /// <summary>True while the sidecar drains on shutdown (waits for a peer to fetch every local change).</summary>
    public bool Draining { get; init; }

    /// <summary>While draining: local changes no peer has fetched yet.</summary>
    public long? UndeliveredChanges { get; init; }

    /// <summary>When the engine started (UTC).</summary>
    public DateTimeOffset? StartedAt { get; init; }
}
