using System.Globalization;
using System.Text;
using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Storage;
using K8sReplication.Sidecar.Wire;

namespace K8sReplication.Sidecar.Pull;

/// <summary>
/// Checks compact anti-entropy answers (<see cref="CompactFormat"/>) from a peer and turns them into records, with the
/// same reasons as <see cref="PeerAnswers"/>: bytes that do not parse are <c>malformed</c>; answers that parse but
/// break the request (counts, widths, rows not asked for, keys that do not decode) are <c>invalid</c>; a row larger
/// than the row limit is <c>too_large</c>. The whole answer is checked before any of it is used.
/// </summary>
internal static class CompactAnswers
{
    /// <summary>Most values a row may carry (SQLite's own ceiling on columns).</summary>
    public const int MaxValuesPerRow = 32_767;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The 16 children's short digests of each of <paramref name="parents"/> nodes, in request order.</summary>
    public static ulong[] Nodes(byte[] answer, int width, int parents) => Read(answer, (ref CompactReader reader) =>
    {
        Header(ref reader, width);
        var count = reader.VarInt(int.MaxValue, "nodes");
        if (count != parents)
        {
            throw Invalid("nodes", $"{count} nodes answer a request for {parents}");
        }

        if ((long)count * MerkleTree.Fanout * width != reader.Remaining)
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"children: {reader.Remaining} bytes for {count} nodes of {MerkleTree.Fanout} digests of {width} bytes"));
        }

        var children = new ulong[count * MerkleTree.Fanout];
        for (var i = 0; i < children.Length; i++)
        {
            children[i] = reader.Fingerprint(width, "children");
        }

        return children;
    });

    /// <summary>The row fingerprints of each of <paramref name="leaves"/> leaves, in request order.</summary>
    public static ulong[][] Leaves(byte[] answer, int width, int leaves) => Read(answer, (ref CompactReader reader) =>
    {
        Header(ref reader, width);
        var count = reader.VarInt(int.MaxValue, "leaves");
        if (count != leaves)
        {
            throw Invalid("leaves", $"{count} leaves answer a request for {leaves}");
        }

        var result = new ulong[count][];
        for (var l = 0; l < count; l++)
        {
            var fingerprints = new ulong[reader.Count(int.MaxValue, width, "fingerprints")];
            for (var i = 0; i < fingerprints.Length; i++)
            {
                fingerprints[i] = reader.Fingerprint(width, "fingerprint");
            }

            result[l] = fingerprints;
        }

        return result;
    });

    /// <summary>
    /// Rows answering a request for <paramref name="requested"/> fingerprints in <paramref name="leaves"/>: each row
    /// must lie in one of those leaves (of a tree of <paramref name="depth"/>) and appear once.
    /// </summary>
    public static List<Change> Rows(byte[] answer, IReadOnlySet<int> leaves, int requested, int depth, long maxRowBytes) => Read(answer, (ref CompactReader reader) =>
    {
        var version = reader.Byte("version");
        if (version != CompactFormat.Version)
        {
            throw Invalid("version", $"{version}; version {CompactFormat.Version} was asked for");
        }

        var tables = new string[reader.Count(PeerAnswers.MaxTables, 2, "tables")];
        for (var i = 0; i < tables.Length; i++)
        {
            var name = StrictUtf8.GetString(reader.Bytes(reader.VarInt(PeerAnswers.MaxTableNameLength * 4, "table"), "table"));
            tables[i] = name.Length is 0 or > PeerAnswers.MaxTableNameLength || Array.IndexOf(tables, name, 0, i) >= 0
                ? throw Invalid("tables", $"table name {InputQuote.Quote(name)} is empty, too long or listed twice")
                : name;
        }

        var sites = new SiteId[reader.Count(requested, SiteId.Size, "sites")];
        for (var i = 0; i < sites.Length; i++)
        {
            sites[i] = SiteId.FromBytes(reader.Bytes(SiteId.Size, "sites"));
        }

        var count = reader.Count(int.MaxValue, 12, "rows");
        if (count > requested)
        {
            throw Invalid("rows", $"{count} rows answer a request for {requested} fingerprints");
        }

        var seen = new HashSet<(int, string)>();
        var rows = new List<Change>(count);
        for (var r = 0; r < count; r++)
        {
            var field = string.Create(CultureInfo.InvariantCulture, $"rows[{r}]");
            var table = reader.VarInt(tables.Length - 1, field + ".table");
            var key = reader.Bytes(reader.VarInt(int.MaxValue, field + ".key"), field + ".key").ToArray();
            var hlc = reader.Int64(field + ".hlc");
            var site = sites[reader.VarInt(sites.Length - 1, field + ".site")];
            var flags = reader.Byte(field + ".flags");
            if (flags > CompactFormat.TombstoneFlag)
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{field}.flags: unknown flags {flags}"));
            }

            if (hlc <= 0)
            {
                throw Invalid(field + ".hlc", $"version clock must be positive, got {hlc}");
            }

            IReadOnlyList<object?> keyParts;
            try
            {
                keyParts = key.Length > 0 ? KeyCodec.Decode(key) : throw new FormatException("key is missing");
            }
            catch (FormatException e)
            {
                throw Invalid(field + ".key", e.Message);
            }

            var nameBytes = Encoding.UTF8.GetBytes(tables[table]);
            var leaf = (int)(RowDigest.Locate(nameBytes, key).Bucket >> (32 - (4 * depth)));
            if (!leaves.Contains(leaf) || !seen.Add((table, Convert.ToBase64String(key))))
            {
                throw Invalid(field, $"a row of table {InputQuote.Quote(tables[table])} that was not asked for (or twice)");
            }

            var deleted = flags == CompactFormat.TombstoneFlag;
            var values = deleted ? null : ReadValues(ref reader, keyParts, field);
            var size = RowSize.Of(key, values);
            if (size > maxRowBytes)
            {
                throw new PeerAnswerRejectedException(RejectReason.TooLarge,
                    string.Create(CultureInfo.InvariantCulture, $"{field}: a row of table {InputQuote.Quote(tables[table])} holds {size} bytes, more than hotPath.maxRowBytes ({maxRowBytes})"));
            }

            rows.Add(new Change(tables[table], key, new RowVersion(hlc, site, deleted), values, 0));
        }

        return rows;
    });

    private static object?[] ReadValues(ref CompactReader reader, IReadOnlyList<object?> keyParts, string field)
    {
        var values = new object?[reader.Count(MaxValuesPerRow, 1, field + ".values")];
        for (var i = 0; i < values.Length; i++)
        {
            var tag = reader.Byte(field + ".values");
            values[i] = tag switch
            {
                ValueTag.Null => null,
                ValueTag.Integer => reader.Int64(field + ".values"),
                ValueTag.Real => BitConverter.Int64BitsToDouble(reader.Int64(field + ".values")),
                ValueTag.Text => StrictUtf8.GetString(reader.Bytes(reader.VarInt(int.MaxValue, field + ".values"), field + ".values")),
                ValueTag.Blob => reader.Bytes(reader.VarInt(int.MaxValue, field + ".values"), field + ".values").ToArray(),
                ValueTag.KeyPart => keyParts[reader.VarInt(keyParts.Count - 1, field + ".values")],
                _ => throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{field}.values: unknown value tag {tag}")),
            };
        }

        return values;
    }

    private static void Header(ref CompactReader reader, int width)
    {
        var version = reader.Byte("version");
        if (version != CompactFormat.Version)
        {
            throw Invalid("version", $"{version}; version {CompactFormat.Version} was asked for");
        }

        var answered = reader.Byte("width");
        if (answered != width)
        {
            throw Invalid("width", $"digests of {answered} bytes; {width} were asked for");
        }
    }

    private delegate T Body<T>(ref CompactReader reader);

    /// <summary>Parses a whole answer: every byte must be consumed; parse failures are malformed.</summary>
    private static T Read<T>(byte[] answer, Body<T> body)
    {
        try
        {
            var reader = new CompactReader(answer);
            var result = body(ref reader);
            reader.End("answer");
            return result;
        }
        catch (Exception e) when (e is FormatException or DecoderFallbackException)
        {
            throw new PeerAnswerRejectedException(RejectReason.Malformed, "malformed answer: " + InputQuote.Abridge(e.Message), e);
        }
    }

    private static PeerAnswerRejectedException Invalid(string field, string message) =>
        new(RejectReason.Invalid, $"{field}: {message}");
}
