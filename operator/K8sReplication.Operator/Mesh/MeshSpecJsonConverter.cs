using System.Text.Json;
using System.Text.Json.Serialization;
using K8sReplication.Contracts.Mesh;

namespace K8sReplication.Operator.Mesh;

/// <summary>A mesh's spec through the Contracts' source-generated JSON (camelCase, enums as strings, nulls omitted).</summary>
internal sealed class MeshSpecJsonConverter : JsonConverter<ReplicationMeshSpec>
{
    public override ReplicationMeshSpec? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize(ref reader, MeshJsonContext.Default.ReplicationMeshSpec);

    public override void Write(Utf8JsonWriter writer, ReplicationMeshSpec value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, MeshJsonContext.Default.ReplicationMeshSpec);
}
