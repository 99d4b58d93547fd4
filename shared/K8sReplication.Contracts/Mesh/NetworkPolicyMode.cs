namespace K8sReplication.Contracts.Mesh;

/// <summary>Whether the operator keeps a NetworkPolicy in front of a mesh's replication port.</summary>
public enum NetworkPolicyMode
{
    /// <summary>The operator keeps the mesh's NetworkPolicy (when it runs with network policies on).</summary>
    Operator = 0,

    /// <summary>No policy from the operator; one it made earlier is deleted.</summary>
    Disabled = 1,
}
