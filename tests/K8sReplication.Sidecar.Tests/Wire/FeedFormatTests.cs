using K8sReplication.Sidecar.Pull;
using K8sReplication.Sidecar.Storage;
using K8sReplication.Sidecar.Wire;

namespace K8sReplication.Sidecar.Tests.Wire;

/// <summary>The binary feed: whatever a page holds comes back exactly, and the byte budget ends pages early.</summary>
public sealed class FeedFormatTests
{
    private static readonly SiteId Here = SiteId.Parse("000000000000000000000000000000aa");

    [Fact]
    public async Task RandomPages_RoundTrip_Exactly()
    {
        var random = new Random(7);
        for (var round = 0; round < 300; round++)
        {
            var batch = RandomBatch(random, random.Next(0, 40));
            var frame = await RoundTripAsync(batch, long.MaxValue);
            Assert.Equal(Here, frame.Site);
            Assert.Equal(batch.LastSeq, frame.LastSeq);
            Assert.Equal(batch.MaxSeq, frame.MaxSeq);
            Assert.Equal(batch.Changes.Count, frame.Changes.Count);
            for (var i = 0; i < batch.Changes.Count; i++)
            {
                var (a, b) = (batch.Changes[i], frame.Changes[i]);
                Assert.Equal(a.Table, b.Table);
                Assert.Equal(a.Key, b.Key);
                Assert.Equal(a.Version, b.Version);
                Assert.Equal(a.Base, b.Base);
                Assert.Equal(a.Seq, b.Seq);
                Assert.Equal(Describe(a.Values), Describe(b.Values));
            }
        }
    }

    [Fact]
    public async Task Version1_LeavesBasesOut_AndItsReaderRefusesTheBaseFlag()
    {
        var other = SiteId.Parse("0123456789abcdef0123456789abcdef");
        var based = Row(1, "v") with { Base = new RowVersion(5 << 16, other, false) };
        var batch = new ChangeBatch([based, Row(2, "w")], 2, 2);

        var v1 = FeedWriter.Encode(batch, Here, 42, 43, long.MaxValue, out _, out _, version: 1);
        Assert.Equal(1, v1.Written.Span[3]);
        var read = await FeedFrameReader.ReadAsync(new MemoryStream(v1.Written.ToArray()), 1 << 20, CancellationToken.None);
        Assert.All(read.Changes, c => Assert.Null(c.Base));

        var v2 = FeedWriter.Encode(batch, Here, 42, 43, long.MaxValue, out _, out _);
        var frame = v2.Written.ToArray();
        Assert.Equal(2, frame[3]);
        Assert.Equal(based.Base, (await FeedFrameReader.ReadAsync(new MemoryStream(frame), 1 << 20, CancellationToken.None)).Changes[0].Base);

        // The same bytes labelled version 1: the base flag is unknown there.
        frame[3] = 1;
        var refused = await Assert.ThrowsAsync<PeerAnswerRejectedException>(() => FeedFrameReader.ReadAsync(new MemoryStream(frame), 1 << 20, CancellationToken.None));
        Assert.Contains("unknown flags", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ByteBudget_EndsThePageAtTheLastChangeSent()
    {
        var batch = new ChangeBatch([.. Enumerable.Range(1, 50).Select(i => Row(i, new string('x', 500)))], 50, 60);
        var frame = await RoundTripAsync(batch, 2048);
        Assert.InRange(frame.Changes.Count, 4, 6);
        Assert.Equal(frame.Changes[^1].Seq, frame.LastSeq);

        // At least one change, however small the budget.
        var one = await RoundTripAsync(batch, 1);
        Assert.Single(one.Changes);
    }

    [Fact]
    public async Task TypicalRow_CostsLittleMoreThanItsBytes()
    {
        // 100 rows: UUID-like text key, a 100-byte blob and an integer.
        var changes = Enumerable.Range(1, 100).Select(i =>
        {
            var key = Guid.NewGuid().ToString("N");
            return new Change("items", KeyCodec.Encode([key]), new RowVersion((1_700_000_000_000L + i) << 16, Here, false), [key, new byte[100], (long)i], i);
        }).ToList();
        var buffer = FeedWriter.Encode(new ChangeBatch(changes, 100, 100), Here, 1, 2, long.MaxValue, out _, out _);
        var rowBytes = changes.Sum(c => 32 + 100 + 8);
        // The key column travels once (a value equal to a key part is a reference to it).
        Assert.True(buffer.Length < rowBytes * 1.2, $"{buffer.Length} bytes on the wire for {rowBytes} bytes of rows");
        _ = await FeedFrameReader.ReadAsync(new MemoryStream(buffer.Written.ToArray()), 1 << 20, CancellationToken.None);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task ASharedPage_WithATrailerOfItsMoment_IsTheWholeEncoding(int version)
    {
        // A kept page is sent with the clock readings and horizon of each response: byte for byte what encoding the
        // page at that moment gives, cut by the byte budget or not.
        var random = new Random(11);
        for (var round = 0; round < 50; round++)
        {
            var batch = RandomBatch(random, random.Next(0, 40));
            var maxBytes = round % 2 == 0 ? long.MaxValue : 200;
            var whole = FeedWriter.Encode(batch, Here, 1000 + round, 2000 + round, maxBytes, out var sent, out var lastSeq, version, horizon: 77);
            var shared = FeedWriter.EncodeShared(batch, Here, maxBytes, out var sharedSent, out var sharedLast, version);
            Assert.Equal((sent, lastSeq), (sharedSent, sharedLast));

            using var response = new MemoryStream();
            long? length = null;
            await FeedWriter.WriteResponseAsync(response, shared.Written, version, 1000 + round, 2000 + round, lastSeq, batch.MaxSeq, 77,
                l => length = l, CancellationToken.None);
            Assert.Equal(whole.Written.ToArray(), response.ToArray());
            Assert.Equal(response.Length, length);
        }
    }

    private static async Task<FeedFrame> RoundTripAsync(ChangeBatch batch, long maxBytes)
    {
        var buffer = FeedWriter.Encode(batch, Here, 42, 43, maxBytes, out _, out _);
        return await FeedFrameReader.ReadAsync(new MemoryStream(buffer.Written.ToArray()), 16 << 20, CancellationToken.None);
    }

    private static Change Row(long seq, string value) =>
        new("kv", KeyCodec.Encode(["k" + seq]), new RowVersion(seq << 16, Here, false), ["k" + seq, value], seq);

    internal static ChangeBatch RandomBatch(Random random, int count)
    {
        string[] tables = ["kv", "items", "a table with spaces", "ünïcødé"];
        SiteId[] sites = [Here, SiteId.Parse("0123456789abcdef0123456789abcdef"), SiteId.Parse("ffffffffffffffffffffffffffffffff")];
        var seq = (long)random.Next(0, 1000);
        var changes = new List<Change>();
        for (var i = 0; i < count; i++)
        {
            seq += random.Next(1, 1_000_000);
            var deleted = random.Next(5) == 0;
            object?[] values = [.. Enumerable.Range(0, random.Next(1, 6)).Select(_ => RandomValue(random))];
            var key = KeyCodec.Encode([values[0] ?? "k"]);
            changes.Add(new Change(tables[random.Next(tables.Length)], key,
                new RowVersion(random.NextInt64(1, long.MaxValue), sites[random.Next(sites.Length)], deleted), deleted ? null : values, seq)
            {
                Base = random.Next(3) == 0 ? null : new RowVersion(random.NextInt64(1, long.MaxValue), sites[random.Next(sites.Length)], false),
            });
        }

        return new ChangeBatch(changes, seq + random.Next(0, 3), seq + random.Next(3, 10));
    }

    private static object? RandomValue(Random random) => random.Next(7) switch
    {
        0 => null,
        1 => random.NextInt64(long.MinValue, long.MaxValue),
        2 => (long)random.Next(-5, 5),
        3 => random.NextDouble() * Math.Pow(10, random.Next(-300, 300)),
        4 => new string((char)random.Next('a', 'z'), random.Next(0, 300)) + "é✓",
        5 => Enumerable.Range(0, random.Next(0, 200)).Select(_ => (byte)random.Next(256)).ToArray(),
        _ => "",
    };

    private static string Describe(IReadOnlyList<object?>? values) =>
        values is null ? "none" : string.Join("|", values.Select(v => v switch
        {
            null => "null",
            byte[] b => "blob:" + Convert.ToHexString(b),
            double d => "real:" + d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            _ => v.GetType().Name + ":" + v,
        }));
}
