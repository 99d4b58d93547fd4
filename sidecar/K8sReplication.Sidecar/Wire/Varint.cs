namespace K8sReplication.Sidecar.Wire;

/// <summary>Writes LEB128 varints (7 bits a byte, low bits first, shortest form) and zigzag for signed values.</summary>
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

    public static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    public static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);
}
