using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;

namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// 16-byte identity of one replica, created once per database. Ordered bytewise (as two big-endian
/// unsigned halves), which is the tie-breaker of last-writer-wins when two HLCs are equal.
/// </summary>
internal readonly record struct SiteId(ulong High, ulong Low) : IComparable<SiteId>
{
    public const int Size = 16;

    public static SiteId NewRandom()
    {
        Span<byte> bytes = stackalloc byte[Size];
        RandomNumberGenerator.Fill(bytes);
        return FromBytes(bytes);
    }

    public static SiteId FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"a site id is {Size} bytes, got {bytes.Length}", nameof(bytes));
        }

        return new SiteId(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));
    }

    public static SiteId Parse(string hex)
    {
        return TryParse(hex, out var site)
            ? site
            : throw new FormatException($"site id must be {Size * 2} hex digits, got '{hex}'");
    }

    public static bool TryParse([NotNullWhen(true)] string? hex, out SiteId site)
    {
        site = default;
        if (hex is null || hex.Length != Size * 2
            || !ulong.TryParse(hex.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var high)
            || !ulong.TryParse(hex.AsSpan(16, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var low))
        {
            return false;
        }

        site = new SiteId(high, low);
        return true;
    }

    /// <summary>The 16 bytes (a fresh copy).</summary>
    public ReadOnlySpan<byte> Bytes => ToByteArray();

    public byte[] ToByteArray()
    {
        var bytes = new byte[Size];
        WriteTo(bytes);
        return bytes;
    }

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, High);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Low);
    }

    public int CompareTo(SiteId other)
    {
        var c = High.CompareTo(other.High);
        return c != 0 ? c : Low.CompareTo(other.Low);
    }

    public override string ToString() =>
        High.ToString("x16", CultureInfo.InvariantCulture) + Low.ToString("x16", CultureInfo.InvariantCulture);

    public static bool operator <(SiteId left, SiteId right) => left.CompareTo(right) < 0;

    public static bool operator >(SiteId left, SiteId right) => left.CompareTo(right) > 0;

    public static bool operator <=(SiteId left, SiteId right) => left.CompareTo(right) <= 0;

    public static bool operator >=(SiteId left, SiteId right) => left.CompareTo(right) >= 0;
}
