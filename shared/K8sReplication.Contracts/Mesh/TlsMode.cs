namespace K8sReplication.Contracts.Mesh;

/// <summary>Where a mesh's member certificates come from.</summary>
public enum TlsMode
{
    /// <summary>The operator runs a certificate authority per mesh and issues, renews and rotates member certificates.</summary>
    Operator = 0,

    /// <summary>The user provides the certificates in a Secret (for example from cert-manager) and renews them.</summary>
    Secret = 1,

    /// <summary>Members talk plain HTTP; only the bearer token protects the replication port.</summary>
    Disabled = 2,
}
