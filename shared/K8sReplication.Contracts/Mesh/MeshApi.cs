namespace K8sReplication.Contracts.Mesh;

/// <summary>Identity of the ReplicationMesh custom resource.</summary>
public static class MeshApi
{
    /// <summary>API group.</summary>
    public const string Group = "replication.k8srepl.dev";

    /// <summary>Served and stored version.</summary>
    public const string Version = "v1alpha1";

    /// <summary><c>apiVersion</c> field value.</summary>
    public const string ApiVersion = Group + "/" + Version;

    /// <summary>Kind.</summary>
    public const string Kind = "ReplicationMesh";

    /// <summary>List kind.</summary>
    public const string ListKind = "ReplicationMeshList";

    /// <summary>Plural resource name.</summary>
    public const string Plural = "replicationmeshes";

    /// <summary>Singular resource name.</summary>
    public const string Singular = "replicationmesh";

    /// <summary>Short name for kubectl.</summary>
    public const string ShortName = "rmesh";

    /// <summary>kubectl category (<c>kubectl get k8srepl</c>).</summary>
    public const string Category = "k8srepl";

    /// <summary>CRD object name.</summary>
    public const string CrdName = Plural + "." + Group;
}
