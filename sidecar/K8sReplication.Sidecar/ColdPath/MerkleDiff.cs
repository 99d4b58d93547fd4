namespace K8sReplication.Sidecar.ColdPath;

/// <summary>Pure helpers for anti-entropy: compare children digests and leaf version lists.</summary>
internal static class MerkleDiff
{
    /// <summary>Indexes of children whose digests differ.</summary>
    public static IReadOnlyList<int> DifferingChildren(IReadOnlyList<byte[]> local, IReadOnlyList<byte[]> remote) =>
        throw new NotImplementedException();

    /// <summary>Remote entries whose version beats the local one (or that are missing locally): the rows to pull.</summary>
    public static IReadOnlyList<LeafEntry> RemoteWinners(IReadOnlyList<LeafEntry> local, IReadOnlyList<LeafEntry> remote) =>
        throw new NotImplementedException();

    /// <summary>Path of child <paramref name="index"/> of the node at <paramref name="path"/>.</summary>
    public static string ChildPath(string path, int index) => throw new NotImplementedException();

    /// <summary>Leaf number of a full-depth path.</summary>
    public static int LeafIndex(string path) => throw new NotImplementedException();
}
