namespace K8sReplication.Contracts.Mesh;

/// <summary>Condition types of a ReplicationMesh.</summary>
public static class ConditionTypes
{
    /// <summary>Every member is ready.</summary>
    public const string Ready = "Ready";

    /// <summary>Every member reports the same Merkle root and no lag.</summary>
    public const string Converged = "Converged";

    /// <summary>Every member runs the current config generation.</summary>
    public const string ConfigApplied = "ConfigApplied";

    /// <summary>Every member has the same schema hash for every replicated table.</summary>
    public const string SchemaConsistent = "SchemaConsistent";

    /// <summary>A member is unreachable, failed, or lagging.</summary>
    public const string Degraded = "Degraded";

    /// <summary>Only when spec.backup is set: every member archives its changes recently and without error.</summary>
    public const string BackupHealthy = "BackupHealthy";

    /// <summary>Unless spec.tls.mode is Disabled: every member has a current certificate the others trust.</summary>
    public const string TlsReady = "TLSReady";

    /// <summary>Unless spec.networkPolicy.mode is Disabled: the mesh's NetworkPolicy is in place as the spec asks.</summary>
    public const string NetworkPolicyReady = "NetworkPolicyReady";
}
