using System.IO.Compression;
using System.Text;
using K8sReplication.Contracts.Wire;
using K8sReplication.Sidecar.Pull;

namespace K8sReplication.Sidecar.Tests.Pull;

/// <summary>A peer body is read under byte limits on both sides of the decompressor, whatever the peer sends.</summary>
public sealed class PeerAnswerDecoderTests
{
    private const long Limit = 64 << 10;

    private static readonly byte[] ValidFeed = Encoding.UTF8.GetBytes(
        """{"site":"0000000000000000000000000000000a","hlc":1,"now":2,"lastSeq":3,"maxSeq":3,"changes":[]}""");

    private static Task<(ChangesResponse Value, long Bytes)> Decode(Stream body, long? length = null, params string[] encodings) =>
        PeerAnswerDecoder.DecodeAsync(body, length, encodings, Limit, WireJsonContext.Default.ChangesResponse, CancellationToken.None);

    [Fact]
    public async Task ValidBody_DecodesAndCountsDecodedBytes()
    {
        var (answer, bytes) = await Decode(new MemoryStream(ValidFeed));
        Assert.Equal(3, answer.LastSeq);
        Assert.Equal(ValidFeed.Length, bytes);

        var (gzipped, gzBytes) = await Decode(new MemoryStream(Gzip(ValidFeed)), null, "gzip");
        Assert.Equal(3, gzipped.MaxSeq);
        Assert.Equal(ValidFeed.Length, gzBytes);
    }

    [Fact]
    public async Task DeclaredLengthOverTheLimit_IsRefusedBeforeReading()
    {
        var body = new EndlessStream();
        var e = await Assert.ThrowsAsync<PeerAnswerRejectedException>(() => Decode(body, 200L << 20));
        Assert.Equal(RejectReason.TooLarge, e.Reason);
        Assert.Equal(0, body.Served);
    }

    [Fact]
    public async Task EndlessBody_IsCutAtTheLimit()
    {
        var body = new EndlessStream();
        var e = await Assert.ThrowsAsync<PeerAnswerRejectedException>(() => Decode(body));
        Assert.Equal(RejectReason.TooLarge, e.Reason);
        Assert.InRange(body.Served, Limit, PeerAnswerLimits.Raw(Limit) + 1);
    }

    [Fact]
    public async Task GzipBomb_IsCutAtTheDecodedLimit_WithoutInflatingIt()
    {
        var bomb = GzipBomb(256L << 20);
        Assert.True(bomb.Length < 1 << 20, $"the bomb is {bomb.Length} bytes");
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = await Assert.ThrowsAsync<PeerAnswerRejectedException>(() => Decode(new MemoryStream(bomb), bomb.Length, "gzip"));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(RejectReason.TooLarge, e.Reason);
        Assert.True(allocated < 8 << 20, $"decoding the bomb allocated {allocated} bytes");
    }

    [Theory]
    [InlineData("compress")]
    [InlineData("gzip,br")]
    public async Task UnknownOrStackedEncoding_IsMalformed(string encoding)
    {
        var e = await Assert.ThrowsAsync<PeerAnswerRejectedException>(() => Decode(new MemoryStream(ValidFeed), null, encoding.Split(',')));
        Assert.Equal(RejectReason.Malformed, e.Reason);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[1,2]")]
    [InlineData("""{"changes":[{"v":[{"x":"1"}]}]}""")]
    [InlineData("""{"changes":[{"v":[1.5]}]}""")]
    [InlineData("""{"unknown":1}""")]
    [InlineData("{\"changes\":[")]
    public async Task BrokenJson_IsMalformed(string body)
    {
        var e = await Assert.ThrowsAsync<PeerAnswerRejectedException>(() => Decode(new MemoryStream(Encoding.UTF8.GetBytes(body))));
        Assert.Equal(RejectReason.Malformed, e.Reason);
    }

    [Fact]
    public async Task BrokenGzip_IsMalformed()
    {
        var e = await Assert.ThrowsAsync<PeerAnswerRejectedException>(() => Decode(new MemoryStream(ValidFeed), null, "gzip"));
        Assert.Equal(RejectReason.Malformed, e.Reason);
    }

    internal static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>A small gzip body that inflates to <paramref name="inflated"/> bytes of a JSON answer's opening.</summary>
    internal static byte[] GzipBomb(long inflated)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize))
        {
            gzip.Write("{\"changes\":[\""u8);
            var padding = new byte[1 << 20];
            padding.AsSpan().Fill((byte)'a');
            for (long written = 0; written < inflated; written += padding.Length)
            {
                gzip.Write(padding);
            }
        }

        return output.ToArray();
    }

    /// <summary>A body that never ends; counts what it served.</summary>
    private sealed class EndlessStream : Stream
    {
        public long Served { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => Served; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            buffer.AsSpan(offset, count).Fill((byte)' ');
            Served += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
