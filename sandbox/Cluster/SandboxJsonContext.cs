using System.Text.Json.Serialization;

namespace K8sReplication.Sandbox.Cluster;

/// <summary>Source-generated JSON for the mesh resource (same options as every Kubernetes object we write).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(SandboxMesh))]
internal sealed partial class SandboxJsonContext : JsonSerializerContext;
