namespace K8sReplication.Contracts.Health;

/// <summary>What one sidecar knows about one of its peers.</summary>
public sealed record PeerHealth
{
    /// <summary>Peer node name.</summary>
    public string Name { get; init; } = "";

    /// <summary>Peer replication URL.</summary>
    public string Url { get; init; } = "";

    /// <summary>Peer site id (hex) once learned.</summary>
    public string? Site { get; init; }

    /// <summary>True when the last request to the peer succeeded.</summary>
    public bool Connected { get; init; }

    /// <summary>Circuit breaker state of the peer.</summary>
    public CircuitState Circuit { get; init; }

    /// <summary>Changes the peer holds that this member has not applied yet (as of the last fetch).</summary>
    public long LagChanges { get; init; }

    /// <summary>Age of the oldest change not yet applied from this peer, in seconds.</summary>
    public double LagSeconds { get; init; }

    /// <summary>True while the tailer is fetching full batches (behind the peer).</summary>
    public bool CatchingUp { get; init; }

    /// <summary>Last successful request (UTC).</summary>
    public DateTimeOffset? LastSuccess { get; init; }

    /// <summary>
    /// Newest unresolved error: a feed error stays until the feed works again, an anti-entropy error until a round
    /// succeeds.
    /// </summary>
    public string? LastError { get; init; }

    /// <summary>True while the peer's feed answers are refused (too large, malformed, invalid, wrong site).</summary>
    public bool Rejecting { get; init; }

    /// <summary>Answers refused from this peer since the sidecar started.</summary>
    public long BatchesRejected { get; init; }

    /// <summary>Estimated peer clock minus local clock, in milliseconds.</summary>
    public double? ClockSkewMs { get; init; }

    /// <summary>Tables whose schema differs from the peer's (their changes from this peer are held back).</summary>
    public IReadOnlyList<string> SchemaMismatches { get; init; } = [];

    /// <summary>Last anti-entropy round against this peer.</summary>
    public AntiEntropyResult? LastAntiEntropy { get; init; }

    /// <summary>
    /// The last resynchronisation from this peer, when it collected deletes (by <c>tombstoneTtl</c>) this member never
    /// applied: when, and what this member dropped; null when there was none since the sidecar started.
    /// </summary>
    public string? LastResync { get; init; }

    /// <summary>
    /// With the Redis transport, the last time this peer's stream was trimmed past this member's cursor (its changes
    /// then come from anti-entropy): when, and what was done; null when it never was since the sidecar started.
    /// </summary>
    public string? LastTrim { get; init; }
}
