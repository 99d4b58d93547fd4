using System.Globalization;
using System.Runtime.InteropServices;

namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// Merkle tree over hash buckets of (table, primary key): fanout 16, depth D, 16^D leaves; a node path is a string of
/// lowercase hex nibbles ("" is the root). A leaf digest is the XOR of its rows' version digests and an inner node is
/// the XOR of its children, so every node is the XOR of the row digests below it: a change costs D+1 XORs, the same
/// rows and versions give the same tree whatever the arrival order, and memory (16 bytes per node) is independent of
/// the row count. XOR is safe here because each (table, key) contributes exactly one digest.
/// </summary>
internal sealed class MerkleTree
{
    public const int Fanout = 16;
    public const int DigestSize = 16;

    private readonly ulong[][] levels; // levels[l] holds 16^l nodes, two ulongs each
    private readonly IMerkleSource source;
    private readonly Lock gate = new();

    public MerkleTree(int depth, IMerkleSource source)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(depth, 6);
        Depth = depth;
        LeafCount = 1 << (4 * depth);
        this.source = source;
        levels = NewLevels(depth);
    }

    public int Depth { get; }

    public int LeafCount { get; }

    public byte[] Root
    {
        get
        {
            lock (gate)
            {
                return ToBytes(levels[0], 0);
            }
        }
    }

    /// <summary>The 16 child digests of the node at <paramref name="path"/> (path shorter than Depth).</summary>
    public IReadOnlyList<byte[]> Children(string path)
    {
        var node = ParsePath(path, maxLength: Depth - 1);
        var level = levels[path.Length + 1];
        var result = new byte[Fanout][];
        lock (gate)
        {
            for (var i = 0; i < Fanout; i++)
            {
                result[i] = ToBytes(level, (node * Fanout) + i);
            }
        }

        return result;
    }

    /// <summary>The digest of the node at <paramref name="path"/>.</summary>
    public byte[] Node(string path)
    {
        var node = ParsePath(path, maxLength: Depth);
        lock (gate)
        {
            return ToBytes(levels[path.Length], node);
        }
    }

    /// <summary>The digest of node <paramref name="index"/> of level <paramref name="level"/> (0 is the root, Depth the leaves).</summary>
    public byte[] Node(int level, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, Depth);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, 1 << (4 * level));
        lock (gate)
        {
            return ToBytes(levels[level], index);
        }
    }

    /// <summary>Version list of one leaf, read from the database (a range scan of the row-version table).</summary>
    public IReadOnlyList<LeafEntry> Leaf(int leaf)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(leaf);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(leaf, LeafCount);
        var shift = 32 - (4 * Depth);
        return source.ReadBuckets((long)leaf << shift, (((long)leaf + 1) << shift) - 1);
    }

    /// <summary>Leaf of a 32-bit bucket.</summary>
    public int LeafOf(long bucket) => (int)(bucket >> (32 - (4 * Depth)));

    /// <summary>Rebuilds the tree from the database and compares it with the maintained one.</summary>
    public bool Verify() => source.VerifyAgainst(this);

    /// <summary>XORs <paramref name="delta"/> into the leaf of <paramref name="bucket"/> and all its ancestors.</summary>
    internal void Apply(long bucket, ReadOnlySpan<byte> delta)
    {
        var d = MemoryMarshal.Cast<byte, ulong>(delta);
        lock (gate)
        {
            XorPath(levels, LeafOf(bucket), d[0], d[1]);
        }
    }

    /// <summary>XORs the delta (<paramref name="d0"/>, <paramref name="d1"/>) into the leaf of <paramref name="bucket"/> and its ancestors.</summary>
    internal void Apply(long bucket, ulong d0, ulong d1)
    {
        lock (gate)
        {
            XorPath(levels, LeafOf(bucket), d0, d1);
        }
    }

    /// <summary>
    /// Replaces the whole tree with one built from <paramref name="digests"/> (bucket, row digest) pairs, in place: the
    /// tree is reset when the store opens, before anything reads it, and a second set of levels would be a megabyte of
    /// large-object garbage at depth 4.
    /// </summary>
    internal void Reset(IEnumerable<(long Bucket, byte[] Digest)> digests)
    {
        lock (gate)
        {
            foreach (var level in levels)
            {
                Array.Clear(level);
            }

            Fill(levels, digests);
        }
    }

    /// <summary>True when a tree built from <paramref name="digests"/> equals this one.</summary>
    internal bool Matches(IEnumerable<(long Bucket, byte[] Digest)> digests)
    {
        var fresh = Build(digests);
        lock (gate)
        {
            return levels.Zip(fresh).All(p => p.First.AsSpan().SequenceEqual(p.Second));
        }
    }

    private ulong[][] Build(IEnumerable<(long Bucket, byte[] Digest)> digests)
    {
        var fresh = NewLevels(Depth);
        Fill(fresh, digests);
        return fresh;
    }

    /// <summary>XORs the digests into the zeroed <paramref name="fresh"/> leaves, then derives the inner nodes.</summary>
    private void Fill(ulong[][] fresh, IEnumerable<(long Bucket, byte[] Digest)> digests)
    {
        foreach (var (bucket, digest) in digests)
        {
            var d = MemoryMarshal.Cast<byte, ulong>(digest.AsSpan());
            fresh[Depth][2 * LeafOf(bucket)] ^= d[0];
            fresh[Depth][(2 * LeafOf(bucket)) + 1] ^= d[1];
        }

        // Inner nodes are the XOR of their children.
        for (var l = Depth - 1; l >= 0; l--)
        {
            var child = fresh[l + 1];
            var parent = fresh[l];
            for (var i = 0; i < child.Length / 2; i++)
            {
                parent[2 * (i / Fanout)] ^= child[2 * i];
                parent[(2 * (i / Fanout)) + 1] ^= child[(2 * i) + 1];
            }
        }
    }

    private static void XorPath(ulong[][] levels, int leaf, ulong d0, ulong d1)
    {
        var node = leaf;
        for (var l = levels.Length - 1; l >= 0; l--)
        {
            levels[l][2 * node] ^= d0;
            levels[l][(2 * node) + 1] ^= d1;
            node /= Fanout;
        }
    }

    private static ulong[][] NewLevels(int depth)
    {
        var result = new ulong[depth + 1][];
        for (var l = 0; l <= depth; l++)
        {
            result[l] = new ulong[2 << (4 * l)];
        }

        return result;
    }

    private static byte[] ToBytes(ulong[] level, int node) =>
        MemoryMarshal.AsBytes(level.AsSpan(2 * node, 2)).ToArray();

    private static int ParsePath(string path, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length > maxLength)
        {
            throw new ArgumentException($"node path '{path}' is longer than {maxLength} nibbles", nameof(path));
        }

        var node = 0;
        foreach (var c in path)
        {
            var nibble = c is >= '0' and <= '9' ? c - '0' : c is >= 'a' and <= 'f' ? c - 'a' + 10 : -1;
            if (nibble < 0)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"node path '{path}' must be lowercase hex nibbles"), nameof(path));
            }

            node = (node * Fanout) + nibble;
        }

        return node;
    }
}
