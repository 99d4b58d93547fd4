using System.Text.Json;
using System.Text.Json.Serialization;
using K8sReplication.Contracts.Mesh;

namespace K8sReplication.Operator.Mesh;

/// <summary>A mesh's status through the Contracts' source-generated JSON (camelCase, enums as strings, nulls omitted).</summary>
internal sealed class MeshStatusJsonConverter : JsonConverter<ReplicationMeshStatus>
{
    public override ReplicationMeshStatus? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize(ref reader, MeshJsonContext.Default.ReplicationMeshStatus);

    public override void Write(Utf8JsonWriter writer, ReplicationMeshStatus value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, MeshJsonContext.Default.ReplicationMeshStatus);
}
