using K8sReplication.Contracts.Mesh;
using K8sReplication.Kube.Models;

namespace K8sReplication.Sandbox.Cluster;

/// <summary>The ReplicationMesh resource as the sandbox reads and writes it (spec and status types from Contracts).</summary>
internal sealed class SandboxMesh : KubeObject<ReplicationMeshSpec, ReplicationMeshStatus>;
