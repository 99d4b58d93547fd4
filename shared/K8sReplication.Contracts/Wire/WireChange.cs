using System.Text.Json.Serialization;

namespace K8sReplication.Contracts.Wire;

/// <summary>
/// One row change on the wire (feed entries and <c>POST /v1/rows</c> answers). Short names keep batches compact.
/// </summary>
public sealed record WireChange
{
    /// <summary>Table name.</summary>
    [JsonPropertyName("t")]
    public string Table { get; init; } = "";

    /// <summary>Primary key in the canonical key encoding, base64.</summary>
    [JsonPropertyName("k")]
    public byte[] Key { get; init; } = [];

    /// <summary>Version HLC.</summary>
    [JsonPropertyName("h")]
    public long Hlc { get; init; }

    /// <summary>Version site id (32 hex digits).</summary>
    [JsonPropertyName("s")]
    public string Site { get; init; } = "";

    /// <summary>Tombstone.</summary>
    [JsonPropertyName("d")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Deleted { get; init; }

    /// <summary>All column values in table column order; absent for tombstones.</summary>
    [JsonPropertyName("v")]
    [JsonConverter(typeof(WireValueListConverter))]
    public IReadOnlyList<object?>? Values { get; init; }

    /// <summary>Sender's local feed position.</summary>
    [JsonPropertyName("q")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long Seq { get; init; }
}
