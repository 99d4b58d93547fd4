namespace K8sReplication.Sidecar.Storage;

/// <summary>The database side of a Merkle tree: leaf reads and a consistent full rebuild.</summary>
internal interface IMerkleSource
{
    /// <summary>Version entries whose bucket falls in [<paramref name="firstBucket"/>, <paramref name="lastBucket"/>].</summary>
    IReadOnlyList<LeafEntry> ReadBuckets(long firstBucket, long lastBucket);

    /// <summary>Rebuilds a tree from the database while no change can commit, and compares it with <paramref name="tree"/>.</summary>
    bool VerifyAgainst(MerkleTree tree);
}
