namespace K8sReplication.Sidecar.ColdPath;

/// <summary>
/// Merkle tree over hash buckets of (table, primary key): fanout 16, depth D, 16^D leaves. A node path is a string of
/// lowercase hex nibbles ("" is the root).
/// </summary>
internal sealed class MerkleTree
{
    public const int Fanout = 16;
    public const int DigestSize = 16;

    public byte[] Root => throw new NotImplementedException();

    public int Depth { get; }

    public int LeafCount { get; }

    public IReadOnlyList<byte[]> Children(string path) => throw new NotImplementedException();

    public IReadOnlyList<LeafEntry> Leaf(int leaf) => throw new NotImplementedException();

    public bool Verify() => throw new NotImplementedException();
}
