using System.Buffers.Binary;
using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Sidecar.Wire;

/// <summary>
/// Short digests for one anti-entropy round: the low <c>width</c> bytes of a 64-bit hash of (salt, 128-bit digest).
/// Equal digests always give equal short digests; different ones collide with probability about 2^-(8·width) for a
/// given salt, independently from one salt to the next. The requester picks a fresh random salt per round, so a
/// collision only lets a difference through for that round. Not cryptographic: peers trust each other, this guards
/// against accidents (as <see cref="KeyHash"/> does).
/// </summary>
internal static class SaltedDigest
{
    public static ulong Of(ReadOnlySpan<byte> salt, ReadOnlySpan<byte> digest, int width) =>
        KeyHash.Of(salt, digest) & Mask(width);

    /// <summary>The fingerprint of one row version in a round: the short form of its <see cref="RowDigest.Version"/>.</summary>
    public static ulong OfRow(ReadOnlySpan<byte> salt, LeafEntry entry, int width)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Span<byte> digest = stackalloc byte[MerkleTree.DigestSize];
        RowDigest.Version(System.Text.Encoding.UTF8.GetBytes(entry.Table), entry.Key, entry.Version, digest);
        return Of(salt, digest, width);
    }

    public static void Write(ulong value, int width, Span<byte> destination)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        bytes[..width].CopyTo(destination);
    }

    public static ulong Read(ReadOnlySpan<byte> source, int width)
    {
        Span<byte> bytes = stackalloc byte[8];
        source[..width].CopyTo(bytes);
        return BinaryPrimitives.ReadUInt64LittleEndian(bytes);
    }

    private static ulong Mask(int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, CompactFormat.MinWidth);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, CompactFormat.MaxWidth);
        return width == 8 ? ulong.MaxValue : (1UL << (8 * width)) - 1;
    }
}
