using System.Buffers.Binary;
using System.Buffers;

namespace K8sReplication.Sidecar.Wire;

/// <summary>Writes the compact format (<see cref="CompactFormat"/>) into a growing buffer.</summary>
internal sealed class CompactWriter
{
    private readonly ArrayBufferWriter<byte> _buffer;

    public CompactWriter(int initialCapacity = 4096)
    {
        _buffer = new ArrayBufferWriter<byte>(initialCapacity);
    }

    public int Length => _buffer.WrittenCount;

    public ReadOnlyMemory<byte> Written => _buffer.WrittenMemory;

    public void Byte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }

    public void Int64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    public void Bytes(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);

    public void Fingerprint(ulong value, int width)
    {
        SaltedDigest.Write(value, width, _buffer.GetSpan(width));
        _buffer.Advance(width);
    }

    public void VarUInt64(ulong value)
    {
        var span = _buffer.GetSpan(10);
        var n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[n++] = (byte)value;
        _buffer.Advance(n);
    }

    public void VarInt(int value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        VarUInt64((ulong)value);
    }

    /// <summary>The common request header: version, digest width, salt.</summary>
    public void RequestHeader(int width, ReadOnlySpan<byte> salt)
    {
        Byte(CompactFormat.Version);
        Byte((byte)width);
        Bytes(salt);
    }

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();
}
