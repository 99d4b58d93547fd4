namespace K8sReplication.Contracts.Config;

/// <summary>One peer of a sidecar: its node name (the pod name under the operator) and replication URL.</summary>
public sealed record PeerConfig
{
    /// <summary>Node name of the peer; unique within a mesh.</summary>
    public string Name { get; init; } = "";

    /// <summary>Base URL of the peer's replication API, e.g. <c>http://10.0.0.7:8900</c>.</summary>
    public string Url { get; init; } = "";

    /// <summary>
    /// Site id (32 hex digits) the peer must report. Optional: without it the peer is bound to the first site it
    /// reports; set it to accept a member whose volume, and so its site id, was replaced on purpose.
    /// </summary>
    public string? Site { get; init; }
}
