using System.Buffers.Binary;
using System.Text;

namespace K8sReplication.Sidecar.Wire;

/// <summary>
/// A growable byte buffer for writing frames: typed appends, and patching a frame's length once its end is known.
/// One buffer per answer; its bytes are handed out as they are (no copy) through <see cref="Written"/>.
/// </summary>
internal sealed class FrameBuffer(int initialCapacity = 16 * 1024)
{
    private byte[] _bytes = new byte[initialCapacity];

    public int Length { get; private set; }

    public ReadOnlyMemory<byte> Written => _bytes.AsMemory(0, Length);

    public void WriteByte(byte value) => Take(1)[0] = value;

    public void Write(ReadOnlySpan<byte> value) => value.CopyTo(Take(value.Length));

    public void WriteVarint(ulong value)
    {
        var span = Reserve(Varint.MaxBytes);
        Length += Varint.Write(span, value);
    }

    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Take(8), value);

    public void WriteDouble(double value) => BinaryPrimitives.WriteDoubleLittleEndian(Take(8), value);

    /// <summary>Length-prefixed UTF-8, encoded straight into the buffer.</summary>
    public void WriteText(string value)
    {
        var bytes = Encoding.UTF8.GetByteCount(value);
        WriteVarint((ulong)bytes);
        Encoding.UTF8.GetBytes(value, Take(bytes));
    }

    public void WriteBlob(ReadOnlySpan<byte> value)
    {
        WriteVarint((ulong)value.Length);
        Write(value);
    }

    /// <summary>Starts a frame: reserves its 4-byte length and writes the type; returns where the length goes.</summary>
    public int BeginFrame(byte type)
    {
        var at = Length;
        Take(FeedFormat.FrameHeaderSize);
        WriteByte(type);
        return at;
    }

    public void EndFrame(int at) => WriteFrameLength(_bytes.AsSpan(at), Length - at - FeedFormat.FrameHeaderSize);

    /// <summary>Writes a frame's length (of what follows its header) into the header at <paramref name="header"/>.</summary>
    public static void WriteFrameLength(Span<byte> header, int length) => BinaryPrimitives.WriteInt32LittleEndian(header, length);

    private Span<byte> Take(int count)
    {
        var span = Reserve(count)[..count];
        Length += count;
        return span;
    }

    private Span<byte> Reserve(int count)
    {
        if (_bytes.Length - Length < count)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, Length + count));
        }

        return _bytes.AsSpan(Length);
    }
}
