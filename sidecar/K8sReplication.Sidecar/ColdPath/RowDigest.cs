using System.Buffers;
using System.Buffers.Binary;
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
    /// Bucket (32-bit prefix of SHA-256(name, 0, key); the Merkle leaf is its top bits) and key hash (next 64 bits,
    /// used as the compact key id of tables without an INTEGER PRIMARY KEY).
    /// </summary>
    public static (long Bucket, long KeyHash) Locate(ReadOnlySpan<byte> tableName, ReadOnlySpan<byte> key)
    {
        Span<byte> hash = stackalloc byte[32];
        Hash(tableName, key, [], hash);
        return (BinaryPrimitives.ReadUInt32BigEndian(hash), BinaryPrimitives.ReadInt64BigEndian(hash[4..]));
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
