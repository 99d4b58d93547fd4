namespace K8sReplication.Contracts.Wire;

/// <summary>Answer of <c>POST /v1/rows</c>: current version and values (tombstones too) of the keys that exist.</summary>
public sealed record RowsResponse
{
    public IReadOnlyList<WireChange> Changes { get; init; } = [];
}
