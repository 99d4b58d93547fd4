using System.Text.Json.Serialization;
using K8sReplication.Contracts.Config;
using K8sReplication.Contracts.Conflicts;
using K8sReplication.Contracts.Health;

namespace K8sReplication.Contracts.Json;

/// <summary>
/// Source-generated JSON metadata for every contract type (AOT- and trim-safe). camelCase names, enums as strings,
/// nulls omitted, unknown members rejected so a typo in a config field is an error rather than silently ignored.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(SidecarConfig))]
[JsonSerializable(typeof(SidecarHealth))]
[JsonSerializable(typeof(PeerHealth))]
[JsonSerializable(typeof(AntiEntropyResult))]
[JsonSerializable(typeof(EngineState))]
[JsonSerializable(typeof(CircuitState))]
[JsonSerializable(typeof(Topology))]
[JsonSerializable(typeof(ConflictsResponse))]
public sealed partial class ContractsJsonContext : JsonSerializerContext;
