namespace K8sReplication.Contracts.Wire;

/// <summary>Answer of <c>GET /v1/merkle/leaves/{n}</c>: the version list of one leaf.</summary>
public sealed record MerkleLeafResponse
{
    public int Leaf { get; init; }

    public IReadOnlyList<WireLeafEntry> Entries { get; init; } = [];
}
