using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Sidecar.ColdPath;

/// <summary>
/// Hashes that place a row in the Merkle tree and fingerprint its version. Both are computed from the table NAME and
/// the KeyCodec key bytes, never from local ids, so every replica computes the same values.
/// </summary>
internal static class RowDigest
{
    /// <summary>
    /// Bucket (top 32 bits of a 64-bit non-cryptographic hash of (name, key); the Merkle leaf is its top bits) and key
    /// hash (the whole 64 bits, used as the compact key id of tables without an INTEGER PRIMARY KEY). Placement only
    /// needs to be uniform and identical on every replica, not collision-resistant: colliding keys share a bucket and
    /// are told apart by their full key, and the leaf digests that detect differences stay SHA-256 based.
    /// </summary>
    public static (long Bucket, long KeyHash) Locate(ReadOnlySpan<byte> tableName, ReadOnlySpan<byte> key)
    {
        var hash = KeyHash.Of(tableName, key);
        return ((long)(hash >> 32), (long)hash);
    }

    /// <summary>128-bit truncated SHA-256 of (table, key, hlc, site, deleted), written to <paramref name="digest"/>.</summary>
    public static void Version(ReadOnlySpan<byte> tableName, ReadOnlySpan<byte> key, RowVersion version, Span<byte> digest)
    {
        Span<byte> suffix = stackalloc byte[8 + SiteId.Size + 1];
        BinaryPrimitives.WriteInt64BigEndian(suffix, version.Hlc);
        version.Site.WriteTo(suffix[8..]);
        suffix[^1] = version.Deleted ? (byte)1 : (byte)0;
        Span<byte> hash = stackalloc byte[32];
        Hash(tableName, key, suffix, hash);
        hash[..MerkleTree.DigestSize].CopyTo(digest);
    }

    /// <summary>
    /// The Merkle delta of a row going from <paramref name="previous"/> (none for a new row) to <paramref name="next"/>:
    /// old digest XOR new digest, as two words, without allocating.
    /// </summary>
    public static (ulong D0, ulong D1) Delta(ReadOnlySpan<byte> tableName, ReadOnlySpan<byte> key, RowVersion? previous, RowVersion next)
    {
        Span<byte> digest = stackalloc byte[MerkleTree.DigestSize];
        Version(tableName, key, next, digest);
        var words = MemoryMarshal.Cast<byte, ulong>(digest);
        ulong d0 = words[0], d1 = words[1];
        if (previous is { } old)
        {
            Version(tableName, key, old, digest);
            d0 ^= words[0];
            d1 ^= words[1];
        }

        return (d0, d1);
    }

    private static void Hash(ReadOnlySpan<byte> tableName, ReadOnlySpan<byte> key, ReadOnlySpan<byte> suffix, Span<byte> hash)
    {
        // Length-prefix the name so (name, key) splits are unambiguous.
        var length = 4 + tableName.Length + key.Length + suffix.Length;
        byte[]? rented = null;
        var buffer = length <= 512 ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length);
        BinaryPrimitives.WriteInt32BigEndian(buffer, tableName.Length);
        tableName.CopyTo(buffer[4..]);
        key.CopyTo(buffer[(4 + tableName.Length)..]);
        suffix.CopyTo(buffer[(4 + tableName.Length + key.Length)..]);
        SHA256.HashData(buffer, hash);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
