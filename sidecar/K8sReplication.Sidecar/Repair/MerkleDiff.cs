using System.Globalization;
using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Sidecar.Repair;

/// <summary>Pure helpers for anti-entropy: compare children digests and leaf version lists.</summary>
internal static class MerkleDiff
{
    /// <summary>Indexes of children whose digests differ.</summary>
    public static IReadOnlyList<int> DifferingChildren(IReadOnlyList<byte[]> local, IReadOnlyList<byte[]> remote)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(remote);
        if (local.Count != remote.Count)
        {
            throw new ArgumentException($"remote node has {remote.Count} children, local has {local.Count}", nameof(remote));
        }

        var result = new List<int>();
        for (var i = 0; i < local.Count; i++)
        {
            if (!local[i].AsSpan().SequenceEqual(remote[i]))
            {
                result.Add(i);
            }
        }

        return result;
    }

    /// <summary>
    /// Remote entries whose version beats the local one, or that are missing locally: the rows to pull. (Entries where
    /// the local version wins are the peer's to pull from us; pull-only repair never pushes.)
    /// </summary>
    public static IReadOnlyList<LeafEntry> RemoteWinners(IReadOnlyList<LeafEntry> local, IReadOnlyList<LeafEntry> remote)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(remote);
        var localVersions = new Dictionary<(string, string), RowVersion>(local.Count);
        foreach (var entry in local)
        {
            localVersions[(entry.Table, Convert.ToBase64String(entry.Key))] = entry.Version;
        }

        return remote
            .Where(r => !localVersions.TryGetValue((r.Table, Convert.ToBase64String(r.Key)), out var mine) || r.Version > mine)
            .ToArray();
    }

    /// <summary>Path of child <paramref name="index"/> of the node at <paramref name="path"/>.</summary>
    public static string ChildPath(string path, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, MerkleTree.Fanout);
        return path + index.ToString("x", CultureInfo.InvariantCulture);
    }

    /// <summary>Leaf number of a full-depth path.</summary>
    public static int LeafIndex(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path.Length == 0 ? 0 : int.Parse(path, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
    }

    /// <summary>Full-depth path of leaf <paramref name="leaf"/>.</summary>
    public static string LeafPath(int leaf, int depth) =>
        leaf.ToString("x" + depth.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
