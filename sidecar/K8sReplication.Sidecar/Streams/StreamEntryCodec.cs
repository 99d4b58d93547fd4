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
/// <c>updated_at</c> its wall-clock time, <c>site</c>, and <c>schema</c> the table's schema hash). Entries are not
/// compressed: a change is small and Redis memory is cheaper than the CPU; a reader refuses zstd data by its magic bytes
/// (<c>28 B5 2F FD</c>) as malformed.
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
            frame = await FeedFrameReader.ReadAsync(stream, maxRowBytes + 4096, cancellationToken, maxChanges: 1);
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
}
