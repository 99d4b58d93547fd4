using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;

namespace K8sReplication.TestKit.Network;

/// <summary>
/// Small compressed bodies that inflate to a chosen size: a JSON start followed by spaces (JSON whitespace, so a
/// streaming parser keeps reading instead of failing early and only a size cap stops it). Generated once per shape by
/// compressing a stream, never holding the inflated bytes; 512 MiB inflated is about 500 KB of gzip.
/// </summary>
public static class CompressionBomb
{
    private static readonly ConcurrentDictionary<(string Encoding, long Size, string Start), Lazy<byte[]>> Cache = new();

    /// <summary>Gzip body inflating to exactly <paramref name="inflatedBytes"/> bytes.</summary>
    public static byte[] Gzip(long inflatedBytes, string jsonStart) =>
        Get("gzip", inflatedBytes, jsonStart, s => new GZipStream(s, CompressionLevel.Optimal, leaveOpen: true));

    /// <summary>Brotli body inflating to exactly <paramref name="inflatedBytes"/> bytes.</summary>
    public static byte[] Brotli(long inflatedBytes, string jsonStart) =>
        Get("br", inflatedBytes, jsonStart, s => new BrotliStream(s, CompressionLevel.Fastest, leaveOpen: true));

    /// <summary>Inflates a body (gzip or br) counting bytes without keeping them; for tests of the bomb itself.</summary>
    public static long InflatedSize(byte[] body, string encoding)
    {
        using var input = new MemoryStream(body);
        using Stream inflater = encoding == "br" ? new BrotliStream(input, CompressionMode.Decompress) : new GZipStream(input, CompressionMode.Decompress);
        var buffer = new byte[1 << 16];
        long total = 0;
        int read;
        while ((read = inflater.Read(buffer)) > 0)
        {
            total += read;
        }

        return total;
    }

    private static byte[] Get(string encoding, long inflatedBytes, string jsonStart, Func<Stream, Stream> compressor) =>
        Cache.GetOrAdd((encoding, inflatedBytes, jsonStart), key => new Lazy<byte[]>(() => Build(key.Size, key.Start, compressor))).Value;

    private static byte[] Build(long inflatedBytes, string jsonStart, Func<Stream, Stream> compressor)
    {
        var start = Encoding.UTF8.GetBytes(jsonStart);
        if (inflatedBytes < start.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(inflatedBytes), "smaller than the JSON start");
        }

        using var output = new MemoryStream();
        using (var compress = compressor(output))
        {
            compress.Write(start);
            var padding = new byte[1 << 20];
            padding.AsSpan().Fill((byte)' ');
            for (var left = inflatedBytes - start.Length; left > 0; left -= padding.Length)
            {
                compress.Write(padding, 0, (int)Math.Min(left, padding.Length));
            }
        }

        return output.ToArray();
    }
}
