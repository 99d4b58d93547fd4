using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using K8sReplication.Sidecar.Pull;
using K8sReplication.Sidecar.Storage;
using K8sReplication.Sidecar.Wire;

namespace K8sReplication.Sidecar.Backup;

/// <summary>
/// The bytes of an archive object (docs/backup.md): gzip over the magic <c>K8RA</c>, a format byte, the 4-byte
/// little-endian length of a JSON <see cref="ArchiveHeader"/>, the header, then the changes as change-feed batch frames
/// (the binary feed format, each with its preamble). Objects are content addressed: their key ends with the SHA-256 of
/// the stored bytes, checked before anything is decoded.
/// </summary>
internal static class ArchiveFormat
{
    public const int Version = 1;
    public const string SegmentKind = "segment";
    public const string SnapshotKind = "snapshot";

    /// <summary>Payload bytes per batch frame.</summary>
    private const long FrameBytes = 4L << 20;

    /// <summary>Changes handed to one frame at most (a frame may take fewer, at <see cref="FrameBytes"/>).</summary>
    private const int FrameChanges = 20_000;

    /// <summary>
    /// The largest object a restore decompresses (a bound against a hostile or broken store): writers keep a segment
    /// or snapshot part to 32 MiB of rows, which this leaves ample room for.
    /// </summary>
    public const long MaxDecodedBytes = 1L << 30;

    private static ReadOnlySpan<byte> Magic => "K8RA"u8;

    /// <summary>Encodes an object; returns its bytes and their SHA-256 (lowercase hex).</summary>
    public static (byte[] Bytes, string Sha256) Encode(ArchiveHeader header, IReadOnlyList<Change> changes, SiteId writer)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(changes);
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            var json = JsonSerializer.SerializeToUtf8Bytes(header, BackupJsonContext.Default.ArchiveHeader);
            Span<byte> prefix = stackalloc byte[Magic.Length + 1 + 4];
            Magic.CopyTo(prefix);
            prefix[Magic.Length] = Version;
            BinaryPrimitives.WriteInt32LittleEndian(prefix[(Magic.Length + 1)..], json.Length);
            gzip.Write(prefix);
            gzip.Write(json);
            var start = 0;
            while (start < changes.Count)
            {
                var rest = new ChangeBatch(Slice(changes, start, FrameChanges), changes[^1].Seq, changes[^1].Seq);
                var frame = FeedWriter.Encode(rest, writer, header.MaxHlc, header.CreatedAt.ToUnixTimeMilliseconds(), FrameBytes, out var sent, out _);
                gzip.Write(frame.Written.Span);
                start += sent;
            }
        }

        var bytes = output.ToArray();
        return (bytes, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    /// <summary>Checks <paramref name="bytes"/> against <paramref name="sha256"/> and reads only the header (inflating just its prefix).</summary>
    public static ArchiveHeader ReadHeader(string key, byte[] bytes, string sha256)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        CheckHash(key, bytes, sha256);
        try
        {
            using var input = new GZipStream(new MemoryStream(bytes, writable: false), CompressionMode.Decompress);
            Span<byte> prefix = stackalloc byte[Magic.Length + 1 + 4];
            input.ReadExactly(prefix);
            CheckPrefix(key, prefix);
            var length = BinaryPrimitives.ReadInt32LittleEndian(prefix[(Magic.Length + 1)..]);
            if (length < 2 || length > MaxHeaderBytes)
            {
                throw new ArchiveCorruptException(key, $"header length {length} out of range");
            }

            var header = new byte[length];
            input.ReadExactly(header);
            return ParseHeader(key, header);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new ArchiveCorruptException(key, "not a complete gzip archive object: " + e.Message);
        }
    }

    /// <summary>
    /// Checks <paramref name="bytes"/> against <paramref name="sha256"/> and decodes them; any mismatch or damage throws
    /// <see cref="ArchiveCorruptException"/> naming <paramref name="key"/>.
    /// </summary>
    public static (ArchiveHeader Header, List<Change> Changes) Decode(string key, byte[] bytes, string sha256)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        CheckHash(key, bytes, sha256);
        byte[] plain;
        try
        {
            plain = Inflate(bytes);
        }
        catch (InvalidDataException e)
        {
            throw new ArchiveCorruptException(key, "not gzip: " + e.Message);
        }

        var span = plain.AsSpan();
        var prefix = Magic.Length + 1 + 4;
        if (span.Length < prefix)
        {
            throw new ArchiveCorruptException(key, "not an archive object (too short)");
        }

        CheckPrefix(key, span[..prefix]);
        var headerLength = BinaryPrimitives.ReadInt32LittleEndian(span[(Magic.Length + 1)..]);
        if (headerLength < 2 || headerLength > span.Length - prefix || headerLength > MaxHeaderBytes)
        {
            throw new ArchiveCorruptException(key, $"header length {headerLength} out of range");
        }

        var header = ParseHeader(key, span.Slice(prefix, headerLength));

        var changes = new List<Change>();
        var at = prefix + headerLength;
        while (at < span.Length)
        {
            var head = FeedFormat.PreambleSize + FeedFormat.FrameHeaderSize + 1;
            if (span.Length - at < head || !span.Slice(at, 3).SequenceEqual(FeedFormat.Magic))
            {
                throw new ArchiveCorruptException(key, $"no batch frame at byte {at}");
            }

            var version = span[at + 3];
            var length = BinaryPrimitives.ReadInt32LittleEndian(span[(at + FeedFormat.PreambleSize)..]);
            if (length < 1 || length > span.Length - at - FeedFormat.PreambleSize - FeedFormat.FrameHeaderSize || span[at + head - 1] != FeedFormat.BatchFrame)
            {
                throw new ArchiveCorruptException(key, $"batch frame at byte {at} has length {length} or type {span[at + head - 1]} out of range");
            }

            try
            {
                changes.AddRange(FeedFrameReader.Parse(span.Slice(at + head, length - 1), version: version).Changes);
            }
            catch (PeerAnswerRejectedException e)
            {
                throw new ArchiveCorruptException(key, "malformed batch frame: " + e.Message);
            }

            at += head + length - 1;
        }

        if (changes.Count != header.Changes)
        {
            throw new ArchiveCorruptException(key, $"holds {changes.Count} changes, its header says {header.Changes}");
        }

        return (header, changes);
    }

    /// <summary>The largest header a reader accepts (table definitions are its bulk).</summary>
    private const int MaxHeaderBytes = 16 << 20;

    private static void CheckHash(string key, byte[] bytes, string sha256)
    {
        var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (!string.Equals(actual, sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArchiveCorruptException(key, $"its content hashes to {actual}, its key says {sha256}");
        }
    }

    private static void CheckPrefix(string key, ReadOnlySpan<byte> prefix)
    {
        if (!prefix[..Magic.Length].SequenceEqual(Magic))
        {
            throw new ArchiveCorruptException(key, "not an archive object (no K8RA magic)");
        }

        if (prefix[Magic.Length] != Version)
        {
            throw new ArchiveCorruptException(key, $"archive format {prefix[Magic.Length]}; this version reads format {Version}");
        }
    }

    private static ArchiveHeader ParseHeader(string key, ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, BackupJsonContext.Default.ArchiveHeader) ?? throw new JsonException("null header");
        }
        catch (JsonException e)
        {
            throw new ArchiveCorruptException(key, "unreadable header: " + e.Message);
        }
    }

    private static byte[] Inflate(byte[] bytes)
    {
        using var input = new GZipStream(new MemoryStream(bytes, writable: false), CompressionMode.Decompress);
        using var output = new MemoryStream((int)Math.Min(bytes.Length * 4L, 64L << 20));
        var buffer = new byte[81920];
        int read;
        while ((read = input.Read(buffer)) > 0)
        {
            if (output.Length + read > MaxDecodedBytes)
            {
                throw new InvalidDataException($"decompresses to more than {MaxDecodedBytes} bytes");
            }

            output.Write(buffer, 0, read);
        }

        return output.ToArray();
    }

    private static List<Change> Slice(IReadOnlyList<Change> changes, int start, int most)
    {
        var end = Math.Min(changes.Count, start + most);
        var list = new List<Change>(end - start);
        for (var i = start; i < end; i++)
        {
            list.Add(changes[i]);
        }

        return list;
    }
}

/// <summary>An archive object whose content does not match its key, or cannot be decoded; names the object.</summary>
internal sealed class ArchiveCorruptException(string key, string problem) : Exception($"archive object {key} is damaged: {problem}")
{
    public string Key { get; } = key;
}
