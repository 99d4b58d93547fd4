namespace K8sReplication.Contracts.Wire;

/// <summary>Answer of <c>GET /v1/merkle</c>: the root and the tree's shape.</summary>
public sealed record MerkleRootResponse
{
    public string Site { get; init; } = "";

    /// <summary>Root digest, hex.</summary>
    public string Root { get; init; } = "";

    public int Depth { get; init; }

    public int Fanout { get; init; }

    /// <summary>Serving member's wall clock (Unix ms).</summary>
    public long Now { get; init; }
}
