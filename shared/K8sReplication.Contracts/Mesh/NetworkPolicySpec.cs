using System.ComponentModel;

namespace K8sReplication.Contracts.Mesh;

/// <summary>The NetworkPolicy the operator keeps in front of the members' replication port.</summary>
public sealed record NetworkPolicySpec
{
    /// <summary>Operator (default) or Disabled.</summary>
    [DefaultValue(nameof(NetworkPolicyMode.Operator))]
    [Description("Operator: the operator keeps a NetworkPolicy <mesh>-replication that admits the replication port only from the mesh's own pods and the operator. Disabled: no policy (one made earlier is deleted).")]
    public NetworkPolicyMode? Mode { get; init; }

    /// <summary>Open (default) or Closed.</summary>
    [DefaultValue(nameof(OtherPortsPolicy.Open))]
    [Description("What the policy admits on the members' other ports (the app's, the admin port). Open: every one from anywhere, so only the replication port is narrowed; use it when no other policy selects the member pods. Closed: only the admin port from the operator; use it when your own policies already isolate the pods, and allow the app's ports, probes and metrics scraping there.")]
    public OtherPortsPolicy? OtherPorts { get; init; }
}
