using System.Text;
using K8sReplication.Sidecar.Storage;
using K8sReplication.Sidecar.Wire;

namespace K8sReplication.Sidecar.Serve;

/// <summary>
/// Writes a compact rows answer (<see cref="CompactFormat"/>): table names and site ids once per answer, then each
/// row as indexes, key, version and values. A value equal to a part of the row's own key is sent as a reference to
/// that part, so a primary-key column travels once; equality is exact (same storage class and bits), which keeps the
/// encoding schema-free: the receiver substitutes the very value the key holds.
/// </summary>
internal static class CompactRowsEncoder
{
    public static CompactWriter Encode(IReadOnlyList<Change> rows)
    {
        var tables = new Dictionary<string, int>(StringComparer.Ordinal);
        var sites = new Dictionary<SiteId, int>();
        foreach (var row in rows)
        {
            tables.TryAdd(row.Table, tables.Count);
            sites.TryAdd(row.Version.Site, sites.Count);
        }

        var writer = new CompactWriter(16 * 1024);
        writer.Byte(CompactFormat.Version);
        writer.VarInt(tables.Count);
        foreach (var name in tables.Keys)
        {
            var bytes = Encoding.UTF8.GetBytes(name);
            writer.VarInt(bytes.Length);
            writer.Bytes(bytes);
        }

        writer.VarInt(sites.Count);
        Span<byte> site = stackalloc byte[SiteId.Size];
        foreach (var id in sites.Keys)
        {
            id.WriteTo(site);
            writer.Bytes(site);
        }

        writer.VarInt(rows.Count);
        foreach (var row in rows)
        {
            writer.VarInt(tables[row.Table]);
            writer.VarInt(row.Key.Length);
            writer.Bytes(row.Key);
            writer.Int64(row.Version.Hlc);
            writer.VarInt(sites[row.Version.Site]);
            var live = !row.Version.Deleted && row.Values is not null;
            writer.Byte(live ? (byte)0 : CompactFormat.TombstoneFlag);
            if (live)
            {
                WriteValues(writer, row.Values!, KeyCodec.Decode(row.Key));
            }
        }

        return writer;
    }

    private static void WriteValues(CompactWriter writer, IReadOnlyList<object?> values, IReadOnlyList<object?> keyParts)
    {
        writer.VarInt(values.Count);
        foreach (var value in values)
        {
            var part = KeyCodec.IndexOfPart(value, keyParts);
            if (part >= 0)
            {
                writer.Byte(ValueTag.KeyPart);
                writer.VarInt(part);
                continue;
            }

            switch (value)
            {
                case null:
                    writer.Byte(ValueTag.Null);
                    break;
                case long integer:
                    writer.Byte(ValueTag.Integer);
                    writer.Int64(integer);
                    break;
                case double real:
                    writer.Byte(ValueTag.Real);
                    writer.Int64(BitConverter.DoubleToInt64Bits(real));
                    break;
                case string text:
                    var utf8 = Encoding.UTF8.GetBytes(text);
                    writer.Byte(ValueTag.Text);
                    writer.VarInt(utf8.Length);
                    writer.Bytes(utf8);
                    break;
                case byte[] blob:
                    writer.Byte(ValueTag.Blob);
                    writer.VarInt(blob.Length);
                    writer.Bytes(blob);
                    break;
                default:
                    throw new InvalidOperationException($"a stored value of type {value.GetType().Name} has no compact encoding");
            }
        }
    }
}
