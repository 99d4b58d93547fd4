using System.Security.Cryptography;
using System.Text.Json;
using K8sReplication.Sidecar.Pull;
using K8sReplication.Sidecar.Storage;
using K8sReplication.Sidecar.Wire;
using StackExchange.Redis;

namespace K8sReplication.Sidecar.Streams;

/// <summary>
/// One stream entry per change, in the replication-engine event shape other consumers of the stream understand:
/// <c>op</c> (<c>PUT</c> or <c>DEL</c>), <c>key</c> (<c>table/hex key</c>), <c>data</c> (the change as a one-change
/// batch frame of the binary feed format, so table, key, values, HLC, site, deleted flag and base travel exactly as on
/// the HTTP feed), <c>hash</c> (hex SHA-256 of <c>data</c>) and <c>meta</c> (JSON: <c>version</c> the HLC,
/// <c>updated_at</c> its wall-clock time, <c>site</c>, and <c>schema</c> the table's schema hash). This member writes
/// entries uncompressed (a change is small and Redis memory is cheaper than the CPU); it reads zstd-compressed
/// <c>data</c> too, told by its magic bytes (<c>28 B5 2F FD</c>) as other publishers of the event shape write it, with
/// <c>hash</c> over the uncompressed bytes, and never inflates it beyond the largest row it accepts.
/// </summary>
internal static class StreamEntryCodec
{
    public const string Op = "op";
    public const string Key = "key";
    public const string Data = "data";
    public const string Hash = "hash";
    public const string Meta = "meta";

    public static NameValueEntry[] Encode(Change change, SiteId site, long hlc, long now, string? schemaHash)
    {
        var frame = FeedWriter.Encode(new ChangeBatch([change], change.Seq, change.Seq), site, hlc, now, long.MaxValue, out _, out _,
            capacity: 256 + (int)Math.Min(RowSize.Of(change.Key, change.Values), 1 << 20));
        var data = frame.Written.ToArray();
        var meta = new System.Buffers.ArrayBufferWriter<byte>(160);
        using (var json = new Utf8JsonWriter(meta))
        {
            json.WriteStartObject();
            json.WriteNumber("version", change.Version.Hlc);
            json.WriteString("updated_at", DateTimeOffset.FromUnixTimeMilliseconds(change.Version.Hlc >> 16));
            json.WriteString("site", change.Version.Site.ToString());
            if (schemaHash is not null)
            {
                json.WriteString("schema", schemaHash);
            }

            json.WriteEndObject();
        }

        return
        [
            new(Op, change.Version.Deleted ? "DEL" : "PUT"),
            new(Key, change.Table + "/" + Convert.ToHexStringLower(change.Key)),
            new(Data, data),
            new(Hash, Convert.ToHexStringLower(SHA256.HashData(data))),
            new(Meta, meta.WrittenMemory),
        ];
    }

    /// <summary>
    /// The change an entry carries, or the reason it is refused (<c>hash</c>, <c>op</c>, <c>malformed</c>, <c>site</c>):
    /// a refused entry is counted and skipped, never applied.
    /// </summary>
    public static async Task<(Change? Change, string? Reason, string? Detail)> DecodeAsync(StreamEntry entry, SiteId peer, long maxRowBytes,
        CancellationToken cancellationToken)
    {
        RedisValue op = RedisValue.Null, data = RedisValue.Null, hash = RedisValue.Null;
        foreach (var field in entry.Values)
        {
            switch ((string?)field.Name)
            {
                case Op: op = field.Value; break;
                case Data: data = field.Value; break;
                case Hash: hash = field.Value; break;
            }
        }

        if (data.IsNull || hash.IsNull)
        {
            return (null, "malformed", "no data or hash field");
        }

        var bytes = (byte[])data!;
        var limit = maxRowBytes + 4096;
        if (IsZstd(bytes))
        {
            if (Inflate(bytes, limit) is not { } inflated)
            {
                return (null, "malformed", $"zstd data that does not inflate to a frame of at most {limit} bytes");
            }

            bytes = inflated;
        }

        if (!string.Equals(Convert.ToHexStringLower(SHA256.HashData(bytes)), (string?)hash, StringComparison.OrdinalIgnoreCase))
        {
            return (null, "hash", "the SHA-256 of data does not match its hash field");
        }

        var deleted = (string?)op switch
        {
            "PUT" => false,
            "DEL" => true,
            _ => (bool?)null,
        };
        if (deleted is null)
        {
            return (null, "op", "op is neither PUT nor DEL");
        }

        FeedFrame frame;
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            frame = await FeedFrameReader.ReadAsync(stream, limit, cancellationToken, maxChanges: 1);
        }
        catch (PeerAnswerRejectedException e)
        {
            return (null, "malformed", e.Message);
        }

        if (frame.Changes.Count != 1)
        {
            return (null, "malformed", "data holds no change");
        }

        var change = frame.Changes[0];
        if (frame.Site != peer || change.Version.Site != peer)
        {
            return (null, "site", $"the change is from site {change.Version.Site}, the stream is site {peer}'s");
        }

        return change.Version.Deleted == deleted
            ? (change, null, null)
            : (null, "op", "op disagrees with the change's deleted flag");
    }

    private static bool IsZstd(ReadOnlySpan<byte> data) => data.Length >= 4 && data[0] == 0x28 && data[1] == 0xB5 && data[2] == 0x2F && data[3] == 0xFD;

    /// <summary>The inflated bytes, or null when they are not zstd or would exceed <paramref name="limit"/> (a bomb stops there).</summary>
    private static byte[]? Inflate(byte[] compressed, long limit)
    {
        try
        {
            using var input = new MemoryStream(compressed, writable: false);
            using var zstd = new ZstdSharp.DecompressionStream(input);
            using var output = new MemoryStream();
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = zstd.Read(buffer, 0, buffer.Length)) > 0)
            {
                if (output.Length + read > limit)
                {
                    return null;
                }

                output.Write(buffer, 0, read);
            }

            return output.ToArray();
        }
        catch (ZstdSharp.ZstdException)
        {
            return null;
        }
    }
}
