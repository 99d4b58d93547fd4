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

    /// <summary>
    /// Opt-in label a Secret must carry (with value <see cref="MeshAuthSecretValue"/>) before the operator uses it as a
    /// mesh's <c>authSecretRef</c>. The operator sends the Secret's token to every pod the mesh selects, so without the
    /// opt-in anyone allowed to create a mesh and a pod could have any Secret of the namespace sent to a pod they run.
    /// </summary>
    public const string MeshAuthSecret = "replication.k8srepl.dev/mesh-auth";

    /// <summary>Value of <see cref="MeshAuthSecret"/> that opts a Secret in.</summary>
    public const string MeshAuthSecretValue = "true";

    /// <summary>
    /// Opt-in label a Secret must carry (with value <see cref="MeshBackupSecretValue"/>) before the operator pushes its
    /// S3 credentials as a mesh's <c>backup.credentialsSecretRef</c>. A separate label from <see cref="MeshAuthSecret"/>:
    /// opting a Secret in for one purpose does not hand it out for the other.
    /// </summary>
    public const string MeshBackupSecret = "replication.k8srepl.dev/mesh-backup";

    /// <summary>Value of <see cref="MeshBackupSecret"/> that opts a Secret in.</summary>
    public const string MeshBackupSecretValue = "true";

    /// <summary>Finalizer the operator puts on meshes so members stop replicating before the mesh goes.</summary>
    public const string Finalizer = "replication.k8srepl.dev/finalizer";
}
