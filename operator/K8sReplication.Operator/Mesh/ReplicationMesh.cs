using K8sReplication.Contracts.Mesh;
using K8sReplication.Kube.Models;

namespace K8sReplication.Operator.Mesh;

/// <summary>The ReplicationMesh custom resource as the operator reads and writes it.</summary>
internal sealed class ReplicationMesh : KubeObject<ReplicationMeshSpec, ReplicationMeshStatus>;
