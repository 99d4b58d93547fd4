namespace K8sReplication.Contracts.Health;

/// <summary>
/// The Redis transport of one member, in <c>redis</c> of <c>GET /v1/status</c> (absent with the HTTP transport).
/// </summary>
public sealed record RedisTransportHealth
{
    /// <summary>The Redis server, as configured with any password replaced by <c>***</c>.</summary>
    public string Url { get; init; } = "";

    /// <summary>True when the last Redis command of this member worked.</summary>
    public bool Connected { get; init; }

    /// <summary>The transport's circuit breaker: open while Redis keeps failing; the loops probe it and close it when Redis is back.</summary>
    public CircuitState Circuit { get; init; }

    /// <summary>The last failure talking to Redis; null once a command worked again.</summary>
    public string? LastError { get; init; }

    /// <summary>This member's own changes are published to its stream up to this local seq.</summary>
    public long PublishedSeq { get; init; }
}
