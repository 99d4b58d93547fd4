using System.Buffers.Binary;
using System.Buffers;
using System.Globalization;
using System.Text;
using K8sReplication.Sidecar.Storage;
using K8sReplication.Sidecar.Wire;

namespace K8sReplication.Sidecar.Pull;

/// <summary>
/// Reads a binary feed answer (the layout <see cref="FeedFormat"/> describes) from a limited stream. The frame's length
/// is checked against the answer limit before its bytes are read; the frame is read into a pooled buffer and parsed
/// with every length, count, index and tag checked against what remains, so a hostile frame can make this member
/// neither read past it nor allocate more than its bytes. Failures are <see cref="PeerAnswerRejectedException"/>.
/// </summary>
internal static class FeedFrameReader
{
    /// <summary>Most values a row may carry (SQLite's own column limit is 32767 at most).</summary>
    public const int MaxColumns = 32_767;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static async Task<FeedFrame> ReadAsync(Stream stream, long limit, CancellationToken cancellationToken, int maxChanges = int.MaxValue)
    {
        var header = new byte[FeedFormat.PreambleSize + FeedFormat.FrameHeaderSize + 1];
        await ReadExactlyAsync(stream, header, "the preamble and frame header", cancellationToken);
        if (!header.AsSpan(0, 3).SequenceEqual(FeedFormat.Magic))
        {
            throw Malformed("answer does not start with the feed preamble");
        }

        if (header[3] is < FeedFormat.OldestVersion or > FeedFormat.Version)
        {
            throw Malformed($"answer is in feed format version {header[3]}; this member reads versions {FeedFormat.OldestVersion} to {FeedFormat.Version}");
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(FeedFormat.PreambleSize));
        if (length < 1)
        {
            throw Malformed($"frame length {length}");
        }

        if (length > limit)
        {
            throw new PeerAnswerRejectedException(RejectReason.TooLarge, $"frame of {length} bytes is larger than the limit of {limit}");
        }

        if (header[^1] != FeedFormat.BatchFrame)
        {
            throw Malformed($"unknown frame type {header[^1]}");
        }

        var payload = ArrayPool<byte>.Shared.Rent(length - 1);
        try
        {
            await ReadExactlyAsync(stream, payload.AsMemory(0, length - 1), "the batch frame", cancellationToken);
            var frame = Parse(payload.AsSpan(0, length - 1), maxChanges, ObjectBudgetFactor * limit, header[3]);
            if (await stream.ReadAsync(header.AsMemory(0, 1), cancellationToken) != 0)
            {
                throw Malformed("bytes after the batch frame");
            }

            return frame;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(payload);
        }
    }

    /// <summary>
    /// Parses a batch frame's payload (after its type byte). At most <paramref name="maxChanges"/> changes, refused as
    /// soon as one more is read; and the objects decoded may cost at most <paramref name="objectBudget"/> bytes
    /// (<see cref="ObjectBudgetFactor"/> times the answer limit when read from a peer): a frame of tiny values (a 2-byte
    /// integer becomes a boxed 8-byte value in an array slot) cannot make this member allocate without bound.
    /// </summary>
    public static FeedFrame Parse(ReadOnlySpan<byte> payload, int maxChanges = int.MaxValue, long objectBudget = long.MaxValue,
        int version = FeedFormat.Version)
    {
        try
        {
            return ParseFrame(payload, maxChanges, objectBudget, version);
        }
        catch (FormatException e)
        {
            throw new PeerAnswerRejectedException(RejectReason.Malformed, e.Message, e);
        }
    }

    private static FeedFrame ParseFrame(ReadOnlySpan<byte> payload, int maxChanges, long objectBudget, int version)
    {
        var knownFlags = FeedFormat.KnownFlags(version);
        var reader = new SpanReader(payload);
        var budget = objectBudget;
        var tables = new List<string>(4);
        var sites = new List<SiteId>(2);
        var changes = new List<Change>();
        var seq = 0L;
        while (true)
        {
            var tableRef = reader.Varint("table reference");
            if (tableRef == 0)
            {
                break;
            }

            var index = changes.Count;
            if (index >= maxChanges)
            {
                throw Invalid("changes", $"more than the {maxChanges} changes asked for");
            }

            string table;
            if (tableRef == (ulong)tables.Count + 1)
            {
                table = reader.Text(PeerAnswers.MaxTableNameLength * 4, Field(index, ".t"));
                if (table.Length == 0 || table.Length > PeerAnswers.MaxTableNameLength)
                {
                    throw Invalid(Field(index, ".t"), $"table name of {table.Length} characters");
                }

                tables.Add(table);
            }
            else
            {
                table = tableRef <= (ulong)tables.Count ? tables[(int)tableRef - 1] : throw Invalid(Field(index, ".t"), $"table reference {tableRef} with {tables.Count} tables named");
            }

            var site = ReadSite(ref reader, sites, Field(index, ".s"));
            var flags = reader.Byte(Field(index, ".flags"));
            if ((flags & ~knownFlags) != 0)
            {
                throw Invalid(Field(index, ".flags"), $"unknown flags {flags}");
            }

            var delta = reader.Varint(Field(index, ".q"));
            if (delta == 0 || delta > (ulong)(long.MaxValue - seq))
            {
                throw Invalid(Field(index, ".q"), "seq must increase");
            }

            seq += (long)delta;
            var hlc = reader.Varint(Field(index, ".h"));
            if (hlc == 0 || hlc > long.MaxValue)
            {
                throw Invalid(Field(index, ".h"), $"version clock {hlc} out of range");
            }

            RowVersion? basedOn = null;
            if ((flags & FeedFormat.BasedFlag) != 0)
            {
                var baseHlc = reader.Varint(Field(index, ".b.h"));
                if (baseHlc == 0 || baseHlc > long.MaxValue)
                {
                    throw Invalid(Field(index, ".b.h"), $"version clock {baseHlc} out of range");
                }

                basedOn = new RowVersion((long)baseHlc, ReadSite(ref reader, sites, Field(index, ".b.s")), false);
            }

            var key = reader.Blob(Field(index, ".k"));
            if (key.Length == 0)
            {
                throw Malformed(Field(index, ".k") + ": key is missing");
            }

            var deleted = (flags & FeedFormat.DeletedFlag) != 0;
            object?[]? values = null;
            if (!deleted)
            {
                var count = reader.Varint(Field(index, ".v"));
                if (count > MaxColumns || count > (ulong)reader.Remaining)
                {
                    throw Invalid(Field(index, ".v"), $"{count} values");
                }

                values = new object?[count];
                IReadOnlyList<object?>? keyParts = null;
                for (var v = 0; v < values.Length; v++)
                {
                    values[v] = reader.Value(Field(index, string.Create(CultureInfo.InvariantCulture, $".v[{v}]")), key, ref keyParts);
                }
            }

            budget -= ChangeCost + key.Length + Cost(values);
            if (budget < 0)
            {
                throw new PeerAnswerRejectedException(RejectReason.TooLarge,
                    $"the frame's {payload.Length} bytes decode to more than {objectBudget} bytes of objects");
            }

            changes.Add(new Change(table, key, new RowVersion((long)hlc, site, deleted), values, seq) { Base = basedOn });
        }

        var answeringSite = SiteId.FromBytes(reader.Bytes(SiteId.Size, "site"));
        var answeringHlc = reader.Int64("hlc");
        var now = reader.Int64("now");
        var lastSeq = reader.Varint("lastSeq");
        var maxSeq = reader.Varint("maxSeq");
        if (lastSeq > long.MaxValue || maxSeq > long.MaxValue)
        {
            throw Invalid("lastSeq", "out of range");
        }

        var horizon = version >= 2 ? reader.Varint("horizon") : 0;
        if (horizon > long.MaxValue)
        {
            throw Invalid("horizon", "out of range");
        }

        if (reader.Remaining != 0)
        {
            throw Malformed($"{reader.Remaining} bytes after the batch trailer");
        }

        return new FeedFrame(answeringSite, answeringHlc, now, changes, (long)lastSeq, (long)maxSeq, (long)horizon);
    }

    /// <summary>A site reference: the index of a site named earlier in the batch, or one past the last and the site's bytes.</summary>
    private static SiteId ReadSite(ref SpanReader reader, List<SiteId> sites, string field)
    {
        var siteRef = reader.Varint(field);
        if (siteRef == (ulong)sites.Count)
        {
            var site = SiteId.FromBytes(reader.Bytes(SiteId.Size, field));
            sites.Add(site);
            return site;
        }

        return siteRef < (ulong)sites.Count ? sites[(int)siteRef] : throw Invalid(field, $"site reference {siteRef} with {sites.Count} sites named");
    }

    /// <summary>Objects a change costs besides its key and values (the change, its version, a list slot, the key array).</summary>
    private const int ChangeCost = 128;

    /// <summary>How many times the answer limit a frame may cost in decoded objects.</summary>
    public const int ObjectBudgetFactor = 4;

    /// <summary>Estimated bytes of decoded values: an array slot each, a boxed number, text as UTF-16, blobs as they are.</summary>
    private static long Cost(object?[]? values)
    {
        if (values is null)
        {
            return 0;
        }

        long cost = 24 + (8L * values.Length);
        foreach (var value in values)
        {
            cost += value switch
            {
                null => 0,
                string text => 24 + (2L * text.Length),
                byte[] blob => 24 + blob.Length,
                _ => 24,
            };
        }

        return cost;
    }

    private static async Task ReadExactlyAsync(Stream stream, Memory<byte> buffer, string what, CancellationToken cancellationToken)
    {
        try
        {
            await stream.ReadExactlyAsync(buffer, cancellationToken);
        }
        catch (EndOfStreamException e)
        {
            throw new PeerAnswerRejectedException(RejectReason.Malformed, $"answer ends inside {what}", e);
        }
    }

    private static string Field(int index, string suffix) => string.Create(CultureInfo.InvariantCulture, $"changes[{index}]{suffix}");

    private static PeerAnswerRejectedException Malformed(string message) => new(RejectReason.Malformed, message);

    private static PeerAnswerRejectedException Invalid(string field, string message) => new(RejectReason.Invalid, $"{field}: {message}");

    /// <summary>
    /// Sequential reads over a frame: the compact format's checked primitives (bounds, shortest-form varints; their
    /// <see cref="FormatException"/> is a malformed frame) plus the feed's typed values.
    /// </summary>
    private ref struct SpanReader(ReadOnlySpan<byte> span)
    {
        private CompactReader _inner = new(span);

        public readonly int Remaining => _inner.Remaining;

        public ulong Varint(string field) => _inner.VarUInt64(field);

        public byte Byte(string field) => _inner.Byte(field);

        public long Int64(string field) => _inner.Int64(field);

        public ReadOnlySpan<byte> Bytes(int count, string field) => _inner.Bytes(count, field);

        public byte[] Blob(string field) => Bytes(Length(field), field).ToArray();

        public string Text(int maxBytes, string field)
        {
            var length = Length(field);
            if (length > maxBytes)
            {
                throw Invalid(field, $"text of {length} bytes");
            }

            try
            {
                return StrictUtf8.GetString(Bytes(length, field));
            }
            catch (DecoderFallbackException e)
            {
                throw new PeerAnswerRejectedException(RejectReason.Malformed, $"{field}: text is not valid UTF-8", e);
            }
        }

        public object? Value(string field, byte[] key, ref IReadOnlyList<object?>? keyParts)
        {
            var tag = Byte(field);
            switch (tag)
            {
                case ValueTag.KeyPart:
                    var part = Varint(field);
                    try
                    {
                        keyParts ??= KeyCodec.Decode(key);
                    }
                    catch (FormatException e)
                    {
                        throw new PeerAnswerRejectedException(RejectReason.Invalid, $"{field}: refers to a key that does not decode: {e.Message}", e);
                    }

                    return part < (ulong)keyParts.Count ? keyParts[(int)part] : throw Invalid(field, $"key part {part} of a key with {keyParts.Count} parts");
                case ValueTag.Null:
                    return null;
                case ValueTag.Integer:
                    return Wire.Varint.UnZigZag(Varint(field));
                case ValueTag.Real:
                    var real = BinaryPrimitives.ReadDoubleLittleEndian(Bytes(8, field));
                    return double.IsNaN(real) ? throw Invalid(field, "a real cannot be NaN (SQLite stores NULL)") : real;
                case ValueTag.Text:
                    return Text(int.MaxValue, field);
                case ValueTag.Blob:
                    return Blob(field);
                default:
                    throw Invalid(field, $"unknown value tag {tag}");
            }
        }

        private int Length(string field) => _inner.VarInt(_inner.Remaining, field);
    }
}
