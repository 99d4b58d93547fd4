using System.Text.Json.Serialization;

namespace K8sReplication.Contracts.Wire;

/// <summary>
/// Source-generated, compact JSON of the replication wire format (version 1, the <c>/v1</c> in the paths).
/// Unknown members are rejected so a malformed request is an error, not a silent no-op.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(ChangesResponse))]
[JsonSerializable(typeof(MerkleRootResponse))]
[JsonSerializable(typeof(MerkleNodesResponse))]
[JsonSerializable(typeof(MerkleLeafResponse))]
[JsonSerializable(typeof(RowsRequest))]
[JsonSerializable(typeof(RowsResponse))]
[JsonSerializable(typeof(SchemaResponse))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(StaleReaderResponse))]
public sealed partial class WireJsonContext : JsonSerializerContext;
