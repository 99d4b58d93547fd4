using System.Text.Json.Serialization;

namespace K8sReplication.Operator.Mesh;

/// <summary>
/// Source-generated JSON for the operator's own objects: the ReplicationMesh resource (camelCase, nulls omitted,
/// enums as strings, unknown members ignored as for every Kubernetes object).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(ReplicationMesh))]
internal sealed partial class OperatorJsonContext : JsonSerializerContext;
