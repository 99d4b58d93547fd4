using System.Buffers.Binary;
using System.Numerics;

namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// A small, fast, platform-independent 64-bit hash of (table name, key bytes) for bucket placement: 8-byte
/// little-endian words mixed with multiply-rotate steps, the name length and total length folded in so (name, key)
/// splits differ, and a MurmurHash3-style finaliser for avalanche. Part of the replication format: every replica must
/// compute the same value, so never change it without a format migration.
/// <see cref="Of128"/> is the same construction run as two lanes with different constants (a 128-bit fingerprint).
/// </summary>
internal static class KeyHash
{
    private const ulong Prime1 = 0x9E3779B185EBCA87UL;
    private const ulong Prime2 = 0xC2B2AE3D27D4EB4FUL;
    private const ulong Prime3 = 0x165667B19E3779F9UL;
    private const ulong Prime4 = 0x85EBCA77C2B2AE63UL;

    public static ulong Of(ReadOnlySpan<byte> tableName, ReadOnlySpan<byte> key)
    {
        var h = Prime1 ^ ((ulong)tableName.Length * Prime2);
        h = Mix(h, tableName, Prime1, Prime2);
        h = Mix(h ^ ((ulong)key.Length * Prime1), key, Prime1, Prime2);
        return Finalise(h);
    }

    /// <summary>
    /// 128-bit fingerprint of (table name, key, suffix) as two 64-bit lanes with independent multipliers. Not
    /// cryptographic: it detects accidental differences between replicas that trust each other, at a
    /// small fraction of the cost of SHA-256 on the per-change path.
    /// </summary>
    public static (ulong Lo, ulong Hi) Of128(ReadOnlySpan<byte> tableName, ReadOnlySpan<byte> key, ReadOnlySpan<byte> suffix)
    {
        var length = (ulong)(tableName.Length + key.Length + suffix.Length);
        var a = Prime1 ^ ((ulong)tableName.Length * Prime2) ^ (length << 32);
        var b = Prime3 ^ ((ulong)tableName.Length * Prime4) ^ length;
        a = Mix(a, tableName, Prime1, Prime2);
        b = Mix(b, tableName, Prime3, Prime4);
        a = Mix(a ^ ((ulong)key.Length * Prime1), key, Prime1, Prime2);
        b = Mix(b ^ ((ulong)key.Length * Prime3), key, Prime3, Prime4);
        a = Mix(a, suffix, Prime1, Prime2);
        b = Mix(b, suffix, Prime3, Prime4);
        return (Finalise(a ^ BitOperations.RotateLeft(b, 17)), Finalise(b ^ BitOperations.RotateLeft(a, 41)));
    }

    private static ulong Mix(ulong h, ReadOnlySpan<byte> data, ulong p1, ulong p2)
    {
        while (data.Length >= 8)
        {
            h = Step(h, BinaryPrimitives.ReadUInt64LittleEndian(data), p1, p2);
            data = data[8..];
        }

        if (!data.IsEmpty)
        {
            ulong tail = 0;
            for (var i = data.Length - 1; i >= 0; i--)
            {
                tail = (tail << 8) | data[i];
            }

            h = Step(h, tail ^ ((ulong)data.Length << 59), p1, p2);
        }

        return h;
    }

    private static ulong Step(ulong h, ulong word, ulong p1, ulong p2)
    {
        word *= p2;
        word = BitOperations.RotateLeft(word, 31);
        word *= p1;
        h ^= word;
        return (BitOperations.RotateLeft(h, 27) * p1) + 0x52DCE729UL;
    }

    private static ulong Finalise(ulong h)
    {
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53UL;
        h ^= h >> 33;
        return h;
    }
}
