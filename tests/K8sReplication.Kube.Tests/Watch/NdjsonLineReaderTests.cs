using System.Text;
using K8sReplication.Kube.Watch;

namespace K8sReplication.Kube.Tests.Watch;

public sealed class NdjsonLineReaderTests
{
    /// <summary>Hands out the bytes in fixed-size chunks, like a network stream delivering partial packets.</summary>
    private sealed class ChunkedStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }

    private static async Task<List<string>> ReadAll(string text, int chunk, int max = 1 << 20)
    {
        var reader = new NdjsonLineReader(new ChunkedStream(Encoding.UTF8.GetBytes(text), chunk), max);
        var lines = new List<string>();
        while (await reader.ReadLineAsync(null, CancellationToken.None) is { } line)
        {
            lines.Add(Encoding.UTF8.GetString(line.Span));
        }

        return lines;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task Lines_SplitAcrossReads_AreReassembled(int chunk)
    {
        var text = "{\"a\":\"ünïcødé\"}\n\n{\"b\":2}\r\n   \n" + new string('x', 40_000) + "\n";
        var lines = await ReadAll(text, chunk);
        Assert.Equal(["{\"a\":\"ünïcødé\"}", "{\"b\":2}", "   ", new string('x', 40_000)], lines);
    }

    [Fact]
    public async Task EndOfStreamMidLine_IsABrokenStream()
    {
        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => ReadAll("{\"a\":1}\n{\"trunc", 5));
        Assert.Contains("middle of a record", ex.Message);
    }

    [Fact]
    public async Task OverlongLine_IsRejected()
    {
        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => ReadAll(new string('y', 100_000) + "\n", 8192, max: 32_768));
        Assert.Contains("exceeds 32768 bytes", ex.Message);
    }

    [Fact]
    public async Task BeforeRead_RunsBeforeEverySocketRead()
    {
        var reads = 0;
        var reader = new NdjsonLineReader(new ChunkedStream(Encoding.UTF8.GetBytes("abcd\nef\n"), 2), 1024);
        while (await reader.ReadLineAsync(() => reads++, CancellationToken.None) is not null)
        {
        }

        Assert.Equal(5, reads); // 4 chunks of data + the read that sees the end
    }
}
