using K8sReplication.Contracts.Mesh;

namespace K8sReplication.KubectlPlugin.Cluster;

/// <summary>One ReplicationMesh as read from the API server.</summary>
internal sealed record MeshInfo(string Name, string Namespace, ReplicationMeshSpec Spec, ReplicationMeshStatus? Status)
{
    /// <summary>Member pod names, in the order the operator lists them.</summary>
    public IReadOnlyList<string> MemberPods => Status?.Members?.Select(m => m.Pod).ToList() ?? [];
}
