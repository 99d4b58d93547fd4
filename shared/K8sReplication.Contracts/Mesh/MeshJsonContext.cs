using System.Text.Json.Serialization;

namespace K8sReplication.Contracts.Mesh;

/// <summary>Source-generated JSON for the ReplicationMesh spec and status (camelCase, enums as strings).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(ReplicationMeshSpec))]
[JsonSerializable(typeof(ReplicationMeshStatus))]
public sealed partial class MeshJsonContext : JsonSerializerContext;
