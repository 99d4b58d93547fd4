using System.Diagnostics;
using K8sReplication.Sidecar.Pull;
using K8sReplication.Sidecar.Storage;
using K8sReplication.Sidecar.Wire;

namespace K8sReplication.Sidecar.Tests.Wire;

/// <summary>
/// Random and mutated binary feed answers through the frame reader and the page checks: the only outcomes are a
/// page or a refusal with a reason; no other exception, no hang, bounded allocation. Fixed seed, so failures reproduce.
/// </summary>
public sealed class FeedFrameFuzzTests
{
    private const long Limit = 256 << 10;

    [Fact]
    public async Task MutatedFrames_AreDecodedOrRefused_NeverCrash()
    {
        var random = new Random(20261206);
        var seeds = Enumerable.Range(0, 8).Select(i =>
            FeedWriter.Encode(FeedFormatTests.RandomBatch(random, 1 + (i * 5)), SiteId.Parse("000000000000000000000000000000aa"), 1, 2, long.MaxValue, out _, out _)
                .Written.ToArray()).ToList();
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 5000; i++)
        {
            var input = Mutate(seeds[random.Next(seeds.Count)], random);
            var before = GC.GetAllocatedBytesForCurrentThread();
            string outcome;
            try
            {
                var frame = await FeedFrameReader.ReadAsync(new MemoryStream(input), Limit, CancellationToken.None);
                PeerAnswers.Page(frame.Changes, frame.LastSeq, frame.MaxSeq, after: 0, limit: 10_000, maxRowBytes: 64 << 10);
                outcome = "accepted";
            }
            catch (PeerAnswerRejectedException e)
            {
                outcome = e.Reason;
            }
            catch (Exception e)
            {
                Assert.Fail($"case {i}: {e.GetType().Name}: {e.Message}\ninput: {Convert.ToHexString(input.AsSpan(0, Math.Min(input.Length, 200)))}");
                throw;
            }

            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 4L * Limit + (1 << 20), $"case {i} allocated {allocated} bytes");
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
        Assert.True(outcomes.GetValueOrDefault("accepted") > 0 && outcomes.Count >= 3, string.Join(", ", outcomes));
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = (byte[])seed.Clone();
        switch (random.Next(6))
        {
            case 0:
                for (var n = random.Next(1, 4); n > 0; n--)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }

                return bytes;
            case 1:
                return bytes[..random.Next(bytes.Length)];
            case 2: // a huge declared frame length
                BitConverter.GetBytes(random.Next()).CopyTo(bytes, 4);
                return bytes;
            case 3: // overlong varints and lengths somewhere inside
                var at = random.Next(9, bytes.Length);
                for (var k = at; k < Math.Min(bytes.Length, at + 12); k++)
                {
                    bytes[k] = 0xFF;
                }

                return bytes;
            case 4:
                return [.. Enumerable.Range(0, random.Next(0, 3000)).Select(_ => (byte)random.Next(256))];
            default:
                return bytes;
        }
    }
}
