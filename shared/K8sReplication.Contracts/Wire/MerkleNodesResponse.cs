namespace K8sReplication.Contracts.Wire;

/// <summary>Answer of <c>GET /v1/merkle/nodes?path=...</c>: the child digests (hex) of one node.</summary>
public sealed record MerkleNodesResponse
{
    public string Path { get; init; } = "";

    public IReadOnlyList<string> Children { get; init; } = [];
}
