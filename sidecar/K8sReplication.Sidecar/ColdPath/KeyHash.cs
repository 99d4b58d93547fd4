using System.Buffers.Binary;
using System.Numerics;

namespace K8sReplication.Sidecar.ColdPath;

/// <summary>
/// A small, fast, platform-independent 64-bit hash of (table name, key bytes) for bucket placement: 8-byte
/// little-endian words mixed with multiply-rotate steps, the name length and total length folded in so (name, key)
/// splits differ, and a MurmurHash3-style finaliser for avalanche. Part of the replication format: every replica must
/// compute the same value, so never change it without a format migration.
/// </summary>
internal static class KeyHash
{
    private const ulong Prime1 = 0x9E3779B185EBCA87UL;
    private const ulong Prime2 = 0xC2B2AE3D27D4EB4FUL;

    public static ulong Of(ReadOnlySpan<byte> tableName, ReadOnlySpan<byte> key)
    {
        var h = Prime1 ^ ((ulong)tableName.Length * Prime2);
        h = Mix(h, tableName);
        h = Mix(h ^ ((ulong)key.Length * Prime1), key);
        return Finalise(h);
    }

    private static ulong Mix(ulong h, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            h = Step(h, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        if (!data.IsEmpty)
        {
            ulong tail = 0;
            for (var i = data.Length - 1; i >= 0; i--)
            {
                tail = (tail << 8) | data[i];
            }

            h = Step(h, tail ^ ((ulong)data.Length << 59));
        }

        return h;
    }

    private static ulong Step(ulong h, ulong word)
    {
        word *= Prime2;
        word = BitOperations.RotateLeft(word, 31);
        word *= Prime1;
        h ^= word;
        return (BitOperations.RotateLeft(h, 27) * Prime1) + 0x52DCE729UL;
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
