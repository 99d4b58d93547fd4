namespace K8sReplication.Contracts.Config;

/// <summary>One peer of a sidecar: its node name (the pod name under the operator) and replication URL.</summary>
public sealed record PeerConfig
{
    /// <summary>Node name of the peer; unique within a mesh.</summary>
    public string Name { get; init; } = "";

    /// <summary>Base URL of the peer's replication API, e.g. <c>http://10.0.0.7:8900</c>.</summary>
    public string Url { get; init; } = "";
}
