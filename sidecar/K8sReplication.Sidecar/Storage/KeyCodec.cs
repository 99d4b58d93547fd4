using System.Buffers.Binary;
using System.Text;

namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// Exact, type-preserving encoding of primary-key values (SQLite storage classes: null, long, double, string, byte[]).
/// Each value is a tag byte followed by its payload: integer and real as 8 big-endian bytes, text (UTF-8) and blob as a
/// 4-byte big-endian length plus bytes. Integer 1, real 1.0, text '1' and blob x'31' therefore encode differently.
/// The encoding is canonical (one byte string per value list; -0.0 is written as 0.0 because SQLite does not keep the
/// sign of zero), so keys compare and hash as bytes.
/// </summary>
internal static class KeyCodec
{
    internal const byte NullTag = 0;
    internal const byte IntegerTag = 1;
    internal const byte RealTag = 2;
    internal const byte TextTag = 3;
    internal const byte BlobTag = 4;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static byte[] Encode(IReadOnlyList<object?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var size = 0;
        for (var i = 0; i < values.Count; i++)
        {
            size += EncodedSize(values[i], i);
        }

        var buffer = new byte[size];
        var span = buffer.AsSpan();
        for (var i = 0; i < values.Count; i++)
        {
            span = span[Write(values[i], span)..];
        }

        return buffer;
    }

    /// <summary>Decodes a key; throws <see cref="FormatException"/> for anything that is not a canonical encoding.</summary>
    public static IReadOnlyList<object?> Decode(ReadOnlySpan<byte> key)
    {
        var values = new List<object?>(2);
        var rest = key;
        while (!rest.IsEmpty)
        {
            var tag = rest[0];
            rest = rest[1..];
            switch (tag)
            {
                case NullTag:
                    values.Add(null);
                    break;
                case IntegerTag:
                    Need(rest, 8);
                    values.Add(BinaryPrimitives.ReadInt64BigEndian(rest));
                    rest = rest[8..];
                    break;
                case RealTag:
                    Need(rest, 8);
                    var real = BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64BigEndian(rest));
                    if (double.IsNaN(real) || (real == 0 && double.IsNegative(real)))
                    {
                        throw new FormatException("key holds a NaN or negative-zero real, which SQLite cannot store");
                    }

                    values.Add(real);
                    rest = rest[8..];
                    break;
                case TextTag:
                case BlobTag:
                    Need(rest, 4);
                    var length = BinaryPrimitives.ReadUInt32BigEndian(rest);
                    rest = rest[4..];
                    if (length > (uint)rest.Length)
                    {
                        throw new FormatException($"key value declares {length} bytes but only {rest.Length} remain");
                    }

                    var payload = rest[..(int)length];
                    values.Add(tag == TextTag ? DecodeText(payload) : payload.ToArray());
                    rest = rest[(int)length..];
                    break;
                default:
                    throw new FormatException($"key has unknown value tag {tag}");
            }
        }

        if (values.Count == 0)
        {
            throw new FormatException("key is empty");
        }

        return values;
    }

    /// <summary>
    /// Index of the key part equal to <paramref name="value"/> (same storage class and value, reals bit for bit), or -1:
    /// wire formats send such a value as a reference to the key instead of a second copy.
    /// </summary>
    public static int IndexOfPart(object? value, IReadOnlyList<object?> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        for (var i = 0; value is not null && i < parts.Count; i++)
        {
            var same = (value, parts[i]) switch
            {
                (long a, long b) => a == b,
                (double a, double b) => BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b),
                (string a, string b) => string.Equals(a, b, StringComparison.Ordinal),
                (byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b),
                _ => false,
            };
            if (same)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>True when the value is one of the SQLite storage classes this codec (and the store) accept.</summary>
    public static bool IsStorageValue(object? value) =>
        value is null or long or double or string or byte[];

    private static string DecodeText(ReadOnlySpan<byte> payload)
    {
        try
        {
            return StrictUtf8.GetString(payload);
        }
        catch (DecoderFallbackException ex)
        {
            throw new FormatException("key text is not valid UTF-8", ex);
        }
    }

    private static void Need(ReadOnlySpan<byte> rest, int count)
    {
        if (rest.Length < count)
        {
            throw new FormatException($"key is truncated: need {count} bytes, {rest.Length} remain");
        }
    }

    private static int EncodedSize(object? value, int index) => value switch
    {
        null => 1,
        long or double => 9,
        string s => 5 + StrictUtf8.GetByteCount(s),
        byte[] b => 5 + b.Length,
        _ => throw new ArgumentException(
            $"key value {index} has type {value.GetType().Name}; only null, long, double, string and byte[] are allowed",
            nameof(value)),
    };

    private static int Write(object? value, Span<byte> span)
    {
        switch (value)
        {
            case null:
                span[0] = NullTag;
                return 1;
            case long l:
                span[0] = IntegerTag;
                BinaryPrimitives.WriteInt64BigEndian(span[1..], l);
                return 9;
            case double d:
                if (double.IsNaN(d))
                {
                    throw new ArgumentException("a key cannot be NaN (SQLite stores it as NULL)", nameof(value));
                }

                span[0] = RealTag;
                BinaryPrimitives.WriteInt64BigEndian(span[1..], BitConverter.DoubleToInt64Bits(d == 0 ? 0.0 : d));
                return 9;
            case string s:
                span[0] = TextTag;
                var n = StrictUtf8.GetBytes(s, span[5..]);
                BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)n);
                return 5 + n;
            default:
                var b = (byte[])value;
                span[0] = BlobTag;
                BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)b.Length);
                b.CopyTo(span[5..]);
                return 5 + b.Length;
        }
    }
}
