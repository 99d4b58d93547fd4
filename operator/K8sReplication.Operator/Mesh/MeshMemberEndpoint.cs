namespace K8sReplication.Operator.Mesh;

/// <summary>
/// A member pod and where its sidecar listens. A terminating member stays in its peers' lists until its pod is gone,
/// so they can fetch what it holds alone while its sidecar drains.
/// </summary>
internal sealed record MeshMemberEndpoint(string Pod, string ReplicationUrl, string AdminUrl, bool Terminating = false);
