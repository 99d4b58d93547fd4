namespace K8sReplication.Contracts.Wire;

/// <summary>Body of <c>POST /v1/rows</c>: the current rows of these keys of one table.</summary>
public sealed record RowsRequest
{
    public string Table { get; init; } = "";

    /// <summary>Keys in the canonical key encoding, base64.</summary>
    public IReadOnlyList<byte[]> Keys { get; init; } = [];
}
