using System.Diagnostics;
using System.Text.Json;
using System.Text;
using K8sReplication.Contracts.Wire;
using K8sReplication.Sidecar.Pull;
using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Sidecar.Tests.Pull;

/// <summary>
/// Random and mutated feed answers through the decoder and the validator, as a peer's bytes would go: whatever comes
/// in, the only outcomes are a validated batch or a refusal with a reason; no other exception, no hang, and bounded
/// allocation per answer. The seed is fixed so a failure reproduces.
/// </summary>
public sealed class FeedDecoderFuzzTests
{
    private const long Limit = 256 << 10;
    private const int Cases = 3000;

    [Fact]
    public async Task MutatedAndRandomAnswers_AreDecodedOrRefused_NeverCrash()
    {
        var random = new Random(20261206);
        var seed = ValidAnswer();
        var clock = Stopwatch.StartNew();
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Cases; i++)
        {
            var body = Mutate(seed, random);
            var gzip = random.Next(4) == 0;
            var bytes = gzip ? PeerAnswerDecoderTests.Gzip(body) : body;
            var before = GC.GetAllocatedBytesForCurrentThread();
            string outcome;
            try
            {
                var (answer, _) = await PeerAnswerDecoder.DecodeAsync(new MemoryStream(bytes), bytes.Length, gzip ? ["gzip"] : [],
                    Limit, WireJsonContext.Default.ChangesResponse, CancellationToken.None);
                CheckFeed(answer, after: 0, limit: 1000, maxRowBytes: 64 << 10);
                outcome = "accepted";
            }
            catch (PeerAnswerRejectedException e)
            {
                outcome = e.Reason;
            }
            catch (Exception e)
            {
                Assert.Fail($"case {i}: {e.GetType().Name}: {e.Message}\ninput: {Encoding.UTF8.GetString(body[..Math.Min(body.Length, 400)])}");
                throw;
            }

            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 32L << 20, $"case {i} allocated {allocated} bytes");
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"{Cases} cases took {clock.Elapsed}");
        // The mutations must reach both sides: some answers survive, most are refused for several reasons.
        Assert.True(outcomes.GetValueOrDefault("accepted") > 0, string.Join(", ", outcomes));
        Assert.True(outcomes.Count >= 3, string.Join(", ", outcomes));
    }

    private static byte[] ValidAnswer()
    {
        var site = "0000000000000000000000000000000a";
        var changes = Enumerable.Range(1, 20).Select(i => new WireChange
        {
            Table = "kv",
            Key = KeyCodec.Encode(["k" + i]),
            Hlc = (1_700_000_000_000L + i) << 16,
            Site = site,
            Deleted = i % 7 == 0,
            Values = i % 7 == 0 ? null : ["k" + i, i % 3 == 0 ? 1.5 : i % 3 == 1 ? new byte[] { 1, 2, 3 } : (object)(long)i],
            Seq = i,
        }).ToList();
        return JsonSerializer.SerializeToUtf8Bytes(new ChangesResponse { Site = site, Hlc = 1, Now = 2, LastSeq = 20, MaxSeq = 25, Changes = changes },
            WireJsonContext.Default.ChangesResponse);
    }

    private static readonly string[] Tokens =
        ["null", "[]", "{}", "\"\"", "\"x\"", "0", "-1", "1e999", "9223372036854775808", "true", "{\"f\":\"NaN\"}", "{\"b\":\"!!\"}", "\"\\u0000\""];

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var text = new List<byte>(seed);
        switch (random.Next(8))
        {
            case 0: // flip a few bytes
                for (var n = random.Next(1, 6); n > 0; n--)
                {
                    text[random.Next(text.Count)] = (byte)random.Next(256);
                }

                break;
            case 1: // truncate
                text = text.Take(random.Next(text.Count)).ToList();
                break;
            case 2: // replace a value with a token of another type
            {
                var s = Encoding.UTF8.GetString([.. text]);
                var colons = Enumerable.Range(0, s.Length).Where(i => s[i] == ':').ToList();
                var at = colons[random.Next(colons.Count)] + 1;
                var end = s.IndexOfAny([',', '}', ']'], at);
                s = s[..at] + Tokens[random.Next(Tokens.Length)] + s[(end < 0 ? s.Length : end)..];
                return Encoding.UTF8.GetBytes(s);
            }
            case 3: // duplicate a slice
            {
                var from = random.Next(text.Count);
                var len = random.Next(Math.Min(200, text.Count - from));
                text.InsertRange(random.Next(text.Count), text.GetRange(from, len));
                break;
            }
            case 4: // deep nesting
            {
                var depth = random.Next(10, 5000);
                return Encoding.UTF8.GetBytes("{\"changes\":" + new string('[', depth) + new string(']', depth) + "}");
            }
            case 5: // huge string value inside a row
                return Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(seed).Replace("\"k1\"", "\"" + new string('z', random.Next(1, 600_000)) + "\"", StringComparison.Ordinal));
            case 6: // random bytes
                return [.. Enumerable.Range(0, random.Next(1, 2000)).Select(_ => (byte)random.Next(256))];
            default: // the answer unchanged, or with numbers shifted
                return Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(seed).Replace("\"maxSeq\":25", "\"maxSeq\":" + random.Next(-5, 40), StringComparison.Ordinal));
        }

        return [.. text];
    }

    /// <summary>A JSON feed answer through the checks a tailer applies: each change, then the page.</summary>
    private static List<Change> CheckFeed(ChangesResponse? answer, long after, int limit, long maxRowBytes)
    {
        var changes = PeerAnswers.FeedChanges(answer);
        PeerAnswers.Page(changes, answer!.LastSeq, answer.MaxSeq, after, limit, maxRowBytes);
        return changes;
    }
}
