using System.Diagnostics;
using K8sReplication.Sidecar.Pull;
using K8sReplication.Sidecar.Serve;
using K8sReplication.Sidecar.Wire;

namespace K8sReplication.Sidecar.Tests.Pull;

/// <summary>
/// Mutated and random compact answers through the byte reader and the checks, as a peer's bytes would go: the only
/// outcomes are a checked answer or a refusal with a reason; no other exception, no hang, bounded allocation. The
/// seed is fixed so a failure reproduces.
/// </summary>
public sealed class CompactDecoderFuzzTests
{
    private const long Limit = 256 << 10;
    private const int Cases = 4000;

    [Fact]
    public async Task MutatedAndRandomAnswers_AreCheckedOrRefused_NeverCrash()
    {
        var random = new Random(20261207);
        var rows = Enumerable.Range(0, 20)
            .Select(i => CompactAnswersTests.Row("k" + i, i % 3 == 0 ? "k" + i : "value " + i, deleted: i % 7 == 0))
            .ToArray();
        var leaves = rows.Select(CompactAnswersTests.LeafOf).ToHashSet();
        var seeds = new[] { CompactRowsEncoder.Encode(rows).ToArray(), NodesAnswer(3), LeavesAnswer() };
        var clock = Stopwatch.StartNew();
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Cases; i++)
        {
            var kind = random.Next(seeds.Length);
            var body = Mutate(seeds[kind], random);
            var gzip = random.Next(4) == 0;
            var bytes = gzip ? PeerAnswerDecoderTests.Gzip(body) : body;
            var before = GC.GetAllocatedBytesForCurrentThread();
            string outcome;
            try
            {
                var answer = await PeerAnswerDecoder.ReadBytesAsync(new MemoryStream(bytes), bytes.Length, gzip ? ["gzip"] : [], Limit, CancellationToken.None);
                _ = kind switch
                {
                    0 => CompactAnswers.Rows(answer, leaves, rows.Length, CompactAnswersTests.Depth, CompactAnswersTests.MaxRow).Count,
                    1 => CompactAnswers.Nodes(answer, 4, 3).Length,
                    _ => CompactAnswers.Leaves(answer, 4, 3).Length,
                };
                outcome = "accepted";
            }
            catch (PeerAnswerRejectedException e)
            {
                outcome = e.Reason;
            }
            catch (Exception e)
            {
                Assert.Fail($"case {i} (seed {kind}): {e.GetType().Name}: {e.Message}\ninput: {Convert.ToHexString(body[..Math.Min(body.Length, 200)])}");
                throw;
            }

            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 16L << 20, $"case {i} allocated {allocated} bytes");
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"{Cases} cases took {clock.Elapsed}");
        Assert.True(outcomes.GetValueOrDefault("accepted") > 0, string.Join(", ", outcomes));
        Assert.True(outcomes.GetValueOrDefault(RejectReason.Malformed) > 0 && outcomes.GetValueOrDefault(RejectReason.Invalid) > 0, string.Join(", ", outcomes));
    }

    private static byte[] NodesAnswer(int parents)
    {
        var w = new CompactWriter();
        w.Byte(CompactFormat.Version);
        w.Byte(4);
        w.VarInt(parents);
        for (var i = 0; i < parents * 16; i++)
        {
            w.Fingerprint((ulong)i * 7919, 4);
        }

        return w.ToArray();
    }

    private static byte[] LeavesAnswer()
    {
        var w = new CompactWriter();
        w.Byte(CompactFormat.Version);
        w.Byte(4);
        w.VarInt(3);
        for (var leaf = 0; leaf < 3; leaf++)
        {
            w.VarInt(leaf * 2);
            for (var i = 0; i < leaf * 2; i++)
            {
                w.Fingerprint((ulong)i, 4);
            }
        }

        return w.ToArray();
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = new List<byte>(seed);
        switch (random.Next(6))
        {
            case 0: // flip a few bytes
                for (var n = random.Next(1, 4); n > 0; n--)
                {
                    bytes[random.Next(bytes.Count)] = (byte)random.Next(256);
                }

                break;
            case 1: // truncate
                bytes = bytes.Take(random.Next(bytes.Count)).ToList();
                break;
            case 2: // duplicate a slice
            {
                var from = random.Next(bytes.Count);
                var len = random.Next(Math.Min(64, bytes.Count - from));
                bytes.InsertRange(random.Next(bytes.Count), bytes.GetRange(from, len));
                break;
            }
            case 3: // a huge varint where a count or length was
                bytes.InsertRange(random.Next(1, bytes.Count), [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]);
                break;
            case 4: // random bytes
                return [.. Enumerable.Range(0, random.Next(1, 600)).Select(_ => (byte)random.Next(256))];
            default: // unchanged
                break;
        }

        return [.. bytes];
    }
}
