namespace K8sReplication.Operator.Mesh;

/// <summary>A member pod and where its sidecar listens.</summary>
internal sealed record MeshMemberEndpoint(string Pod, string ReplicationUrl, string AdminUrl);
