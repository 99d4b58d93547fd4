using K8sReplication.Contracts.Mesh;

namespace K8sReplication.Operator.Mesh;

/// <summary>A mesh's spec through the Contracts' source-generated JSON.</summary>
internal sealed class MeshSpecJsonConverter() : ContractsJsonConverter<ReplicationMeshSpec>(MeshJsonContext.Default.ReplicationMeshSpec);
