namespace K8sReplication.Sidecar.Feed;

/// <summary>LEB128 varints (7 bits a byte, low bits first) and zigzag for signed values.</summary>
internal static class Varint
{
    public const int MaxBytes = 10;

    public static int Write(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    /// <summary>Reads a varint; false when the input ends first or it is longer than 64 bits allow.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out ulong value, out int read)
    {
        value = 0;
        for (read = 0; read < MaxBytes && read < source.Length; read++)
        {
            var b = source[read];
            if (read == MaxBytes - 1 && b > 1)
            {
                return false;
            }

            value |= (ulong)(b & 0x7F) << (7 * read);
            if (b < 0x80)
            {
                read++;
                return true;
            }
        }

        return false;
    }

    public static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    public static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);
}
