using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Sidecar.Wire;

/// <summary>
/// Encodes a feed page as a binary answer: preamble, then one batch frame. A batch frame holds the changes, a 0 that
/// ends them, and a trailer (serving site, its HLC, its wall clock, the next cursor and its newest seq). Per change:
/// a table reference (k+1 for the k-th table of this batch, or one past the last followed by a new name), a site
/// reference likewise (index, or one past the last followed by 16 bytes), flags, the seq as a delta from the previous
/// change's, the HLC, from version 2 the base when the change has one (its HLC and a site reference), the key, and for
/// a live row its values (a value equal to a part of the key as a reference to it). The batch ends early once its
/// changes reach <c>maxBytes</c> (at least one change), and the cursor is then the last change sent.
/// </summary>
internal static class FeedWriter
{
    /// <summary>Where the batch frame's length goes: after the magic and the version byte.</summary>
    private static readonly int FrameAt = FeedFormat.Magic.Length + 1;

    /// <summary>Where the batch frame's content begins (its type byte), after the preamble and the frame's length.</summary>
    private static readonly int SharedAt = FrameAt + FeedFormat.FrameHeaderSize;

    public static FrameBuffer Encode(ChangeBatch batch, SiteId site, long hlc, long now, long maxBytes, out int sent, out long lastSeq,
        int version = FeedFormat.Version, long horizon = 0, int capacity = 16 * 1024)
    {
        var buffer = EncodeShared(batch, site, maxBytes, out sent, out lastSeq, version, capacity);
        WriteTail(buffer, hlc, now, lastSeq, batch.MaxSeq, version, horizon);
        buffer.EndFrame(FrameAt);
        return buffer;
    }

    /// <summary>
    /// The preamble and the batch frame up to the trailer's clock readings: the changes, the 0 that ends them and the
    /// serving site. What follows (<see cref="WriteTail"/>) differs by the moment of each response; the frame's length
    /// is set once it is written.
    /// </summary>
    public static FrameBuffer EncodeShared(ChangeBatch batch, SiteId site, long maxBytes, out int sent, out long lastSeq,
        int version = FeedFormat.Version, int capacity = 16 * 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(version, FeedFormat.OldestVersion);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(version, FeedFormat.Version);
        var buffer = new FrameBuffer(capacity);
        buffer.Write(FeedFormat.Magic);
        buffer.WriteByte((byte)version);
        _ = buffer.BeginFrame(FeedFormat.BatchFrame);
        var start = buffer.Length;
        var tables = new List<string>(4);
        var sites = new List<SiteId>(2);
        lastSeq = batch.LastSeq;
        var previous = 0L;
        for (sent = 0; sent < batch.Changes.Count; sent++)
        {
            if (sent > 0 && buffer.Length - start >= maxBytes)
            {
                lastSeq = batch.Changes[sent - 1].Seq;
                break;
            }

            var change = batch.Changes[sent];
            WriteReference(buffer, tables, change.Table, 1, static (b, name) => b.WriteText(name));
            WriteReference(buffer, sites, change.Version.Site, 0, WriteSite);
            var based = version >= 2 && change.Base is not null;
            buffer.WriteByte((byte)((change.Version.Deleted ? FeedFormat.DeletedFlag : 0) | (based ? FeedFormat.BasedFlag : 0)));
            buffer.WriteVarint((ulong)(change.Seq - previous));
            previous = change.Seq;
            buffer.WriteVarint((ulong)change.Version.Hlc);
            if (based)
            {
                buffer.WriteVarint((ulong)change.Base!.Value.Hlc);
                WriteReference(buffer, sites, change.Base.Value.Site, 0, WriteSite);
            }

            buffer.WriteBlob(change.Key);
            if (!change.Version.Deleted)
            {
                var values = change.Values!;
                var keyParts = KeyCodec.Decode(change.Key);
                buffer.WriteVarint((ulong)values.Count);
                foreach (var value in values)
                {
                    var part = KeyCodec.IndexOfPart(value, keyParts);
                    if (part >= 0)
                    {
                        buffer.WriteByte(ValueTag.KeyPart);
                        buffer.WriteVarint((ulong)part);
                    }
                    else
                    {
                        WriteValue(buffer, value);
                    }
                }
            }
        }

        buffer.WriteVarint(0);
        Span<byte> siteBytes = stackalloc byte[SiteId.Size];
        site.WriteTo(siteBytes);
        buffer.Write(siteBytes);
        return buffer;
    }

    /// <summary>The rest of the trailer: the serving member's HLC and wall clock, the next cursor, its newest seq, and from version 2 its horizon.</summary>
    public static void WriteTail(FrameBuffer buffer, long hlc, long now, long lastSeq, long maxSeq, int version, long horizon)
    {
        buffer.WriteInt64(hlc);
        buffer.WriteInt64(now);
        buffer.WriteVarint((ulong)lastSeq);
        buffer.WriteVarint((ulong)maxSeq);
        if (version >= 2)
        {
            buffer.WriteVarint((ulong)horizon);
        }
    }

    /// <summary>
    /// Writes a binary answer from <paramref name="shared"/>, the bytes <see cref="EncodeShared"/> wrote, which are never
    /// changed (other responses send them too): their preamble with this response's frame length, the rest as it is, and
    /// a trailer of this moment.
    /// </summary>
    public static async Task WriteResponseAsync(Stream body, ReadOnlyMemory<byte> shared, int version, long hlc, long now, long lastSeq, long maxSeq,
        long horizon, Action<long> setLength, CancellationToken cancellationToken)
    {
        var tail = new FrameBuffer(64);
        WriteTail(tail, hlc, now, lastSeq, maxSeq, version, horizon);
        var head = shared[..SharedAt].ToArray();
        FrameBuffer.WriteFrameLength(head.AsSpan(FrameAt), shared.Length - SharedAt + tail.Length);
        setLength(shared.Length + tail.Length);
        await body.WriteAsync(head, cancellationToken);
        await body.WriteAsync(shared[SharedAt..], cancellationToken);
        await body.WriteAsync(tail.Written, cancellationToken);
    }

    private static void WriteSite(FrameBuffer buffer, SiteId site)
    {
        Span<byte> bytes = stackalloc byte[SiteId.Size];
        site.WriteTo(bytes);
        buffer.Write(bytes);
    }

    /// <summary>Index (plus <paramref name="offset"/>) of a known item, or the next index followed by the item itself.</summary>
    private static void WriteReference<T>(FrameBuffer buffer, List<T> known, T item, int offset, Action<FrameBuffer, T> write)
    {
        var index = known.IndexOf(item);
        if (index >= 0)
        {
            buffer.WriteVarint((ulong)(index + offset));
            return;
        }

        buffer.WriteVarint((ulong)(known.Count + offset));
        write(buffer, item);
        known.Add(item);
    }

    private static void WriteValue(FrameBuffer buffer, object? value)
    {
        switch (value)
        {
            case null:
                buffer.WriteByte(ValueTag.Null);
                break;
            case long l:
                buffer.WriteByte(ValueTag.Integer);
                buffer.WriteVarint(Varint.ZigZag(l));
                break;
            case double d:
                buffer.WriteByte(ValueTag.Real);
                buffer.WriteDouble(d);
                break;
            case string s:
                buffer.WriteByte(ValueTag.Text);
                buffer.WriteText(s);
                break;
            case byte[] b:
                buffer.WriteByte(ValueTag.Blob);
                buffer.WriteBlob(b);
                break;
            default:
                throw new InvalidOperationException($"a row value of type {value.GetType().Name} is not a SQLite storage class");
        }
    }
}
