namespace K8sReplication.KubectlPlugin.Diff;

/// <summary>How one member's replica differs from the reference member's.</summary>
internal sealed record MemberDifference
{
    public string Pod { get; init; } = "";

    public string MerkleRoot { get; init; } = "";

    /// <summary>Differing Merkle leaves (each holds the versions of the rows whose key hashes there).</summary>
    public IReadOnlyList<int> Leaves { get; init; } = [];

    /// <summary>Tables of the rows whose versions differ in those leaves.</summary>
    public IReadOnlyList<string> Tables { get; init; } = [];

    /// <summary>Rows present on one side only or with a different version.</summary>
    public int Rows { get; init; }

    /// <summary>True when the descent stopped at <see cref="MerkleDescent.MaxLeaves"/> differing leaves.</summary>
    public bool Truncated { get; init; }
}
