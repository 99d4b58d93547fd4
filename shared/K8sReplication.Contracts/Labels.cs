namespace K8sReplication.Contracts;

/// <summary>Labels and annotations the operator and chart put on the objects they manage.</summary>
public static class Labels
{
    /// <summary>Names the ReplicationMesh an object belongs to.</summary>
    public const string Mesh = "replication.k8srepl.dev/mesh";

    /// <summary>Kubernetes recommended label: the tool managing the object.</summary>
    public const string ManagedBy = "app.kubernetes.io/managed-by";

    /// <summary>Value of <see cref="ManagedBy"/> for objects the operator creates.</summary>
    public const string ManagedByValue = "k8srepl-operator";

    /// <summary>Finalizer the operator puts on meshes so members stop replicating before the mesh goes.</summary>
    public const string Finalizer = "replication.k8srepl.dev/finalizer";
}
