using System.Diagnostics;
using System.Text;
using K8sReplication.Sidecar.Configuration;

namespace K8sReplication.Sidecar.Tests.Configuration;

/// <summary>
/// Random and mutated config documents through the whole config input path (parse, deserialize, validate): the only
/// failure allowed is <see cref="ConfigRejectedException"/>, each input finishes quickly, and each allocates a
/// bounded amount. The seed is fixed, so a failure names an input that reproduces.
/// </summary>
public sealed class ConfigParserFuzzTests
{
    private const int Seed = 20_250_611;
    private const int Inputs = 6_000;
    private const long MaxAllocatedBytesPerInput = 64L << 20;
    private static readonly TimeSpan MaxTimePerInput = TimeSpan.FromSeconds(2);

    private static readonly string[] ValidDocuments =
    [
        """
        mesh: notes
        generation: 3
        nodeName: notes-0
        peers:
          - name: notes-1
            url: http://10.244.0.7:8900
          - name: notes-2
            url: "http://127.0.0.1:8901/"
        tables: [notes, tags]
        topology: Sparse
        hotPath:
          batchSize: 500
          wait: 5s
        antiEntropy: {interval: 30s, budget: 1000, timeout: 60s}
        maxClockSkew: 5m
        tombstoneTtl: 168h
        conflictRetention: {maxAge: 24h, maxEntries: 1000}
        paused: false
        """,
        """{"mesh":"notes","generation":7,"peers":[{"name":"notes-1","url":"http://10.0.0.1:8900"}],"tables":["notes"],"topology":"FullMesh","hotPath":{"batchSize":1000,"wait":"10s"},"antiEntropy":{"interval":"30s","budget":100000,"timeout":"60s"},"maxClockSkew":"5m","tombstoneTtl":"168h","paused":true}""",
        "generation: 1\npeers: []\n",
        "{}",
    ];

    /// <summary>Fragments that exercise the YAML and JSON grammars' corners when spliced into a document.</summary>
    private static readonly string[] Tokens =
    [
        "&a ", "*a", "&b [*a,*a,*a]", "<<: *a", "[", "]", "{", "}", "- ", ": ", ":", ",", "\n", "  ", "\t", "---\n", "...\n",
        "? ", "!!str ", "!!binary ", "!custom ", "|\n  ", ">-\n  ", "'", "\"", "#", "%YAML 1.2\n", "%TAG ! tag:x,2000:\n",
        "\\u0000", "\\", "\u001b", "\u0000", "\uFEFF", "é", "null", "~", "true", "1e999", "-1", "9223372036854775808",
        "nodeName", "peers", "url", "http://169.254.169.254/", "http://u:p@x/", "generation", "\"generation\":", "[[[[[[[[",
    ];

    [Fact]
    public async Task RandomAndMutatedDocuments_AreOnlyEverRejectedCleanly_QuicklyAndWithBoundedAllocation()
    {
        // A dedicated thread, so a hang fails the test at the deadline (TimeoutException) instead of stalling the run.
        var failures = new List<string>();
        var run = Task.Factory.StartNew(() => Run(failures), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await run.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
    }

    private static void Run(List<string> failures)
    {
        var random = new Random(Seed);
        for (var i = 0; i < Inputs && failures.Count < 10; i++)
        {
            var input = Generate(random);
            var before = GC.GetAllocatedBytesForCurrentThread();
            var watch = Stopwatch.StartNew();
            try
            {
                var config = ConfigFileReader.Parse(input, "body");
                SidecarConfigValidator.Validate(config with { Database = "d.db", NodeName = config.NodeName ?? "n" }, out _);
            }
            catch (ConfigRejectedException e)
            {
                if (e.Errors.Any(x => (x.Key + x.Message).Any(char.IsControl)))
                {
                    failures.Add($"input {i}: error carries a raw control character: {Preview(e.Message)}");
                }
            }
            catch (Exception e)
            {
                failures.Add($"input {i}: {e.GetType().Name}: {Preview(e.Message)} <- {Preview(input)}\n{e.StackTrace}");
            }

            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated > MaxAllocatedBytesPerInput)
            {
                failures.Add($"input {i}: allocated {allocated} bytes <- {Preview(input)}");
            }

            if (watch.Elapsed > MaxTimePerInput)
            {
                failures.Add($"input {i}: took {watch.Elapsed.TotalMilliseconds:0} ms <- {Preview(input)}");
            }
        }
    }

    private static string Generate(Random random)
    {
        var seed = ValidDocuments[random.Next(ValidDocuments.Length)];
        return random.Next(10) switch
        {
            0 => RandomText(random),
            1 => TokenSoup(random),
            2 => Deep(random),
            _ => Mutate(random, seed, 1 + random.Next(6)),
        };
    }

    private static string Mutate(Random random, string text, int rounds)
    {
        var bytes = new List<byte>(Encoding.UTF8.GetBytes(text));
        for (var r = 0; r < rounds && bytes.Count > 0; r++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(7))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 2:
                    var length = Math.Min(bytes.Count - at, 1 + random.Next(64));
                    var slice = bytes.GetRange(at, length);
                    for (var k = random.Next(1, 2000); k > 0 && bytes.Count < 1_200_000; k--)
                    {
                        bytes.InsertRange(at, slice);
                    }

                    break;
                case 3:
                    bytes.InsertRange(at, Encoding.UTF8.GetBytes(Tokens[random.Next(Tokens.Length)]));
                    break;
                case 4:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + random.Next(16)));
                    break;
                case 5:
                    bytes.InsertRange(at, Encoding.UTF8.GetBytes(new string(random.Next(2) == 0 ? '[' : '{', random.Next(1, 100))));
                    break;
                default:
                    bytes[at] = (byte)random.Next(256);
                    break;
            }
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    private static string RandomText(Random random)
    {
        var bytes = new byte[random.Next(0, 512)];
        random.NextBytes(bytes);
        if (random.Next(2) == 0)
        {
            for (var i = 0; i < bytes.Length; i++)
            {
                bytes[i] = (byte)(bytes[i] % 96 + 32);
            }
        }

        return Encoding.UTF8.GetString(bytes);
    }

    private static string TokenSoup(Random random)
    {
        var sb = new StringBuilder();
        for (var n = random.Next(1, 80); n > 0; n--)
        {
            sb.Append(Tokens[random.Next(Tokens.Length)]);
        }

        return sb.ToString();
    }

    private static string Deep(Random random)
    {
        var depth = random.Next(20, 60_000);
        return random.Next(4) switch
        {
            0 => new string('[', depth) + new string(']', depth),
            1 => string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth),
            2 => string.Concat(Enumerable.Range(0, Math.Min(depth, 2000)).Select(d => new string(' ', d) + "- \n")),
            _ => string.Concat(Enumerable.Range(0, Math.Min(depth, 2000)).Select(d => new string(' ', d) + "k:\n")),
        };
    }

    private static string Preview(string text) => InputQuote.Quote(text);
}
