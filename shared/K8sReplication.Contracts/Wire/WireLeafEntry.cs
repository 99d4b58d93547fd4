using System.Text.Json.Serialization;

namespace K8sReplication.Contracts.Wire;

/// <summary>One row version inside a Merkle leaf.</summary>
public sealed record WireLeafEntry
{
    [JsonPropertyName("t")]
    public string Table { get; init; } = "";

    [JsonPropertyName("k")]
    public byte[] Key { get; init; } = [];

    [JsonPropertyName("h")]
    public long Hlc { get; init; }

    [JsonPropertyName("s")]
    public string Site { get; init; } = "";

    [JsonPropertyName("d")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Deleted { get; init; }
}
