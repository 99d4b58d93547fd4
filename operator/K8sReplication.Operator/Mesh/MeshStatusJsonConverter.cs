using K8sReplication.Contracts.Mesh;

namespace K8sReplication.Operator.Mesh;

/// <summary>A mesh's status through the Contracts' source-generated JSON.</summary>
internal sealed class MeshStatusJsonConverter() : ContractsJsonConverter<ReplicationMeshStatus>(MeshJsonContext.Default.ReplicationMeshStatus);
