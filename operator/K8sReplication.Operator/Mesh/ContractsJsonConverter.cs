using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace K8sReplication.Operator.Mesh;

/// <summary>
/// Reads and writes a Contracts type through its source-generated JSON (camelCase, enums as strings, nulls omitted)
/// whichever serializer holds the object around it, so the official client's JSON writes a mesh's spec and status
/// exactly as the CRD describes them.
/// </summary>
internal abstract class ContractsJsonConverter<T>(JsonTypeInfo<T> typeInfo) : JsonConverter<T>
{
    public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize(ref reader, typeInfo);

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, typeInfo);
}
