using System.IO.Compression;
using K4os.Compression.LZ4;
using ZstdSharp;

namespace K8sReplication.Bench.Cases;

/// <summary>
/// One codec at one level, as the compression case runs it on a whole feed page held in memory: compress into a
/// buffer of the codec's worst-case size, decompress into a buffer of the page's size (a reader knows its bound).
/// gzip and Brotli are the runtime's (what the sidecar ships); LZ4 and zstd are managed ports measured for comparison.
/// </summary>
internal sealed class FeedCodec(string name, Func<int, int> bound, Func<byte[], byte[], int> compress,
    Func<byte[], byte[], int> decompress, IDisposable? state = null) : IDisposable
{
    public string Name { get; } = name;

    /// <summary>Whether the sidecar can negotiate this codec today (<c>hotPath.compression</c> gzip or br).</summary>
    public bool Shipped => Name.StartsWith("gzip", StringComparison.Ordinal) || Name.StartsWith("Brotli", StringComparison.Ordinal);

    public int Bound(int rawLength) => bound(rawLength);

    public int Compress(byte[] raw, byte[] into) => compress(raw, into);

    public int Decompress(byte[] compressed, byte[] into) => decompress(compressed, into);

    public void Dispose() => state?.Dispose();

    /// <summary>
    /// The codecs measured. gzip Fastest is what the sidecar sends today when a reader asks for gzip (zlib level 1),
    /// Brotli quality 1 what it sends for br (<c>CompressionLevel.Fastest</c>); Optimal and quality 4 are the
    /// runtime's defaults, one step up.
    /// </summary>
    public static List<FeedCodec> All() =>
    [
        Gzip("gzip Fastest (level 1; sidecar's gzip)", CompressionLevel.Fastest),
        Gzip("gzip Optimal (level 6)", CompressionLevel.Optimal),
        Brotli("Brotli quality 1 (sidecar's br)", 1),
        Brotli("Brotli quality 4", 4),
        Lz4("LZ4 L00_FAST", LZ4Level.L00_FAST),
        Lz4("LZ4 L03_HC", LZ4Level.L03_HC),
        Zstd("zstd level 1", 1),
        Zstd("zstd level 3", 3),
    ];

    private static FeedCodec Gzip(string name, CompressionLevel level) => new(name,
        n => n + (n / 1000) + 64 + 18,
        (raw, into) =>
        {
            using var output = new MemoryStream(into);
            using (var gzip = new GZipStream(output, level, leaveOpen: true))
            {
                gzip.Write(raw);
            }

            return (int)output.Position;
        },
        (compressed, into) =>
        {
            using var gzip = new GZipStream(new MemoryStream(compressed, writable: false), CompressionMode.Decompress);
            var total = 0;
            int n;
            while ((n = gzip.Read(into, total, into.Length - total)) > 0)
            {
                total += n;
            }

            return total;
        });

    private static FeedCodec Brotli(string name, int quality) => new(name,
        BrotliEncoder.GetMaxCompressedLength,
        (raw, into) => BrotliEncoder.TryCompress(raw, into, out var written, quality, 22)
            ? written
            : throw new InvalidOperationException("Brotli: output buffer too small"),
        (compressed, into) => BrotliDecoder.TryDecompress(compressed, into, out var written)
            ? written
            : throw new InvalidOperationException("Brotli: broken or oversized input"));

    private static FeedCodec Lz4(string name, LZ4Level level) => new(name,
        LZ4Codec.MaximumOutputSize,
        (raw, into) => LZ4Codec.Encode(raw, into, level),
        (compressed, into) => LZ4Codec.Decode(compressed, into));

    private static FeedCodec Zstd(string name, int level)
    {
        // Contexts are reused across pages, as a long-lived server and reader would.
        var compressor = new Compressor(level);
        var decompressor = new Decompressor();
        return new FeedCodec(name,
            n => Compressor.GetCompressBound(n),
            (raw, into) => compressor.Wrap(raw, into),
            (compressed, into) => decompressor.Unwrap(compressed, into),
            new Both(compressor, decompressor));
    }

    private sealed class Both(IDisposable a, IDisposable b) : IDisposable
    {
        public void Dispose()
        {
            a.Dispose();
            b.Dispose();
        }
    }
}
