using System.Buffers.Binary;

namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// Hashes that place a row in the Merkle tree and fingerprint its version. Both are computed from the table NAME and
/// the KeyCodec key bytes, never from local ids, so every replica computes the same values.
/// </summary>
internal static class RowDigest
{
    private const ulong SignBit = 0x8000_0000_0000_0000UL;

    /// <summary>
    /// Bucket (top 32 bits of a 64-bit non-cryptographic hash of (name, key); the Merkle leaf is its top bits) and key
    /// id (the whole hash with its sign bit flipped, so that signed order, SQLite's integer order, is the hash's
    /// unsigned order: a bucket range is a key-id range). Placement only needs to be uniform and identical on every
    /// replica, not collision-resistant: of colliding keys, the later one is stored under the next free key id of the
    /// bucket (see <see cref="NextInBucket"/>), and lookups tell them apart by their full key.
    /// </summary>
    public static (long Bucket, long Kid) Locate(ReadOnlySpan<byte> tableName, ReadOnlySpan<byte> key)
    {
        var hash = KeyHash.Of(tableName, key);
        return ((long)(hash >> 32), (long)(hash ^ SignBit));
    }

    /// <summary>The bucket of a key id.</summary>
    public static long BucketOf(long kid) => (long)(((ulong)kid ^ SignBit) >> 32);

    /// <summary>
    /// The key id after <paramref name="kid"/> in its bucket. A key whose key id another key already holds (a hash
    /// collision) is stored at the next free one after it: the key id index is unique, and the row stays in its
    /// bucket, so its Merkle leaf does not change. Throws past the bucket's last key id (2^32 colliding keys).
    /// </summary>
    public static long NextInBucket(long kid) =>
        (kid & 0xFFFF_FFFFL) != 0xFFFF_FFFFL
            ? kid + 1
            : throw new InvalidOperationException($"no key id left after {kid} in bucket {BucketOf(kid)}");

    /// <summary>The key ids of the buckets <paramref name="firstBucket"/>..<paramref name="lastBucket"/>, inclusive.</summary>
    public static (long First, long Last) KidRange(long firstBucket, long lastBucket) =>
        ((long)(((ulong)firstBucket << 32) ^ SignBit), (long)((((ulong)lastBucket << 32) | 0xFFFF_FFFFUL) ^ SignBit));

    /// <summary>128-bit fingerprint of (table, key, hlc, site, deleted), written to <paramref name="digest"/>.</summary>
    public static void Version(ReadOnlySpan<byte> tableName, ReadOnlySpan<byte> key, RowVersion version, Span<byte> digest)
    {
        var (lo, hi) = Words(tableName, key, version);
        BinaryPrimitives.WriteUInt64LittleEndian(digest, lo);
        BinaryPrimitives.WriteUInt64LittleEndian(digest[8..], hi);
    }

    /// <summary>
    /// The Merkle delta of a row going from <paramref name="previous"/> (none for a new row) to <paramref name="next"/>:
    /// old digest XOR new digest, as two words (little-endian halves of the digest), without allocating.
    /// </summary>
    public static (ulong D0, ulong D1) Delta(ReadOnlySpan<byte> tableName, ReadOnlySpan<byte> key, RowVersion? previous, RowVersion next)
    {
        var (d0, d1) = Words(tableName, key, next);
        if (previous is { } old)
        {
            var (o0, o1) = Words(tableName, key, old);
            d0 ^= o0;
            d1 ^= o1;
        }

        return (d0, d1);
    }

    private static (ulong Lo, ulong Hi) Words(ReadOnlySpan<byte> tableName, ReadOnlySpan<byte> key, RowVersion version)
    {
        Span<byte> suffix = stackalloc byte[8 + SiteId.Size + 1];
        BinaryPrimitives.WriteInt64BigEndian(suffix, version.Hlc);
        version.Site.WriteTo(suffix[8..]);
        suffix[^1] = version.Deleted ? (byte)1 : (byte)0;
        return KeyHash.Of128(tableName, key, suffix);
    }
}
