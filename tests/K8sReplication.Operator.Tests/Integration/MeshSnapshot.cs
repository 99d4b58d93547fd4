using System.Text.Json;
using K8sReplication.Contracts.Mesh;
using K8sReplication.Operator.Mesh;

namespace K8sReplication.Operator.Tests.Integration;

/// <summary>A read of a mesh that prints its status, so a timed-out wait shows what the operator last reported.</summary>
internal sealed record MeshSnapshot(ReplicationMesh? Mesh)
{
    public override string ToString() =>
        Mesh?.Status is null ? "(no status)" : JsonSerializer.Serialize(Mesh.Status, MeshJsonContext.Default.ReplicationMeshStatus);
}
