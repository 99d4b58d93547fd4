using System.Buffers.Binary;
using System.Globalization;

namespace K8sReplication.Sidecar.Wire;

/// <summary>
/// Reads the compact format from untrusted bytes. Every read checks what is left first, and every count or length is
/// checked against a caller's ceiling and against the bytes remaining before anything is allocated for it, so a
/// message can never make the reader allocate more than it is long. Failures are <see cref="FormatException"/>
/// naming the field; callers turn them into their boundary's error.
/// </summary>
internal ref struct CompactReader(ReadOnlySpan<byte> data)
{
    private ReadOnlySpan<byte> _rest = data;

    public readonly int Remaining => _rest.Length;

    public byte Byte(string field)
    {
        Need(1, field);
        var b = _rest[0];
        _rest = _rest[1..];
        return b;
    }

    public long Int64(string field)
    {
        Need(8, field);
        var value = BinaryPrimitives.ReadInt64LittleEndian(_rest);
        _rest = _rest[8..];
        return value;
    }

    public ReadOnlySpan<byte> Bytes(int count, string field)
    {
        Need(count, field);
        var bytes = _rest[..count];
        _rest = _rest[count..];
        return bytes;
    }

    public ulong Fingerprint(int width, string field) => SaltedDigest.Read(Bytes(width, field), width);

    /// <summary>An unsigned LEB128 varint of at most 64 bits in its shortest form.</summary>
    public ulong VarUInt64(string field)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = Byte(field);
            if (shift == 63 && b > 1)
            {
                throw new FormatException(field + ": varint overflows 64 bits");
            }

            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return b == 0 && shift > 0 ? throw new FormatException(field + ": varint is not in its shortest form") : value;
            }
        }

        throw new FormatException(field + ": varint longer than 10 bytes");
    }

    /// <summary>A varint in [0, <paramref name="max"/>].</summary>
    public int VarInt(int max, string field)
    {
        var value = VarUInt64(field);
        return max < 0 || value > (ulong)max
            ? throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{field}: {value} is more than {max}"))
            : (int)value;
    }

    /// <summary>A count of items each at least <paramref name="minItemBytes"/> long: at most <paramref name="max"/> and what the bytes left can hold.</summary>
    public int Count(int max, int minItemBytes, string field)
    {
        var count = VarInt(max, field);
        return (long)count * minItemBytes > Remaining
            ? throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{field}: {count} items cannot fit in the {Remaining} bytes left"))
            : count;
    }

    public readonly void End(string what)
    {
        if (!_rest.IsEmpty)
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{what}: {_rest.Length} bytes after the end"));
        }
    }

    private readonly void Need(int count, string field)
    {
        if (count < 0 || count > _rest.Length)
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{field}: needs {count} bytes, {_rest.Length} left"));
        }
    }
}
