using System.Globalization;
using System.Text.RegularExpressions;
using K8sReplication.Sidecar.Repair;
using K8sReplication.TestKit;

namespace K8sReplication.Sidecar.Tests.Integration;

/// <summary>
/// A scheduled anti-entropy round waits while a feed is delivering (the trees differ by rows in flight), and only a
/// bounded number of times in a row: a peer that never stops writing is still compared. That holds against a peer that
/// writes nothing too, while a third member's feed delivers: two members receiving one writer's changes differ by what
/// each has applied so far.
/// </summary>
public sealed partial class AntiEntropyDeferralTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task WhileThePeersFeedDelivers_RoundsWait_ButNotForEver()
    {
        await using var mesh = await TestMesh.StartAsync(2, interval: "100ms");
        await mesh.ConnectFullMeshAsync();
        await Eventually.ValueAsync(() => Rounds(mesh[0], "n1"), r => r.Values.Sum() > 0, Timeout, "a first round of n0 against n1");

        // n1 writes a row every few milliseconds until both outcomes were seen on n0 (or the deadline passes).
        await WhileWritingAsync(mesh[1], async () =>
        {
            // Counted from the first deferral on, so every round that ran afterwards ran while n1's feed delivered:
            // only the bound on deferrals in a row lets it run.
            var before = await Eventually.ValueAsync(() => Rounds(mesh[0], "n1"), r => r.GetValueOrDefault("deferred") > 0, Timeout,
                "a round deferred while n1's feed delivers");
            await Eventually.ValueAsync(() => Rounds(mesh[0], "n1"), r => Ran(r) - Ran(before) >= 1, Timeout,
                $"a round run despite the flowing feed, once {AntiEntropyLoop.MaxDeferredRounds} in a row had waited");
        });

        await mesh.WaitConvergedAsync(Timeout, "converged after the writes");

        // Once the feed is quiet, rounds run again (equal roots).
        var quiet = await Rounds(mesh[0], "n1");
        await Eventually.ValueAsync(() => Rounds(mesh[0], "n1"), r => Delta(r, quiet, "equal") >= 2, Timeout, "rounds to run once n1 stopped writing");
    }

    [Fact]
    public async Task WhileAThirdMembersFeedDelivers_RoundsBetweenTheReceiversWait()
    {
        await using var mesh = await TestMesh.StartAsync(3, interval: "100ms");
        await mesh.ConnectFullMeshAsync();
        await Eventually.ValueAsync(() => Rounds(mesh[1], "n2"), r => r.Values.Sum() > 0, Timeout, "a first round of n1 against n2");

        // n0 writes a row every few milliseconds; n1 and n2 both receive them, n2 writes nothing.
        await WhileWritingAsync(mesh[0], () => Eventually.ValueAsync(() => Rounds(mesh[1], "n2"), r => r.GetValueOrDefault("deferred") > 0,
            Timeout, "a round of n1 against n2 deferred while n0's feed delivers to n1"));

        await mesh.WaitConvergedAsync(Timeout, "converged after the writes");
        var quiet = await Rounds(mesh[1], "n2");
        await Eventually.ValueAsync(() => Rounds(mesh[1], "n2"), r => Delta(r, quiet, "equal") >= 2, Timeout, "rounds of n1 against n2 once n0 stopped writing");
    }

    /// <summary>
    /// Runs <paramref name="check"/> while <paramref name="node"/> gets a new row every few milliseconds (for
    /// <see cref="Timeout"/> at most); the writes stop once it returns or throws.
    /// </summary>
    private static async Task WhileWritingAsync(TestNode node, Func<Task> check)
    {
        using var stop = new CancellationTokenSource(Timeout);
        var writer = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                node.Exec(string.Create(CultureInfo.InvariantCulture, $"INSERT INTO items VALUES ('w{i}', 'x', {i})"));
                await Task.Delay(5, CancellationToken.None);
            }
        }, CancellationToken.None);
        try
        {
            await check();
        }
        finally
        {
            await stop.CancelAsync();
            await writer;
        }
    }

    /// <summary>Rounds of n0 against n1 that ran (any outcome but deferred or skipped).</summary>
    private static double Ran(Dictionary<string, double> rounds) =>
        rounds.Where(p => p.Key is not "deferred" and not "skipped").Sum(p => p.Value);

    private static double Delta(Dictionary<string, double> now, Dictionary<string, double> before, string result) =>
        now.GetValueOrDefault(result) - before.GetValueOrDefault(result);

    /// <summary>The node's anti-entropy rounds against <paramref name="peer"/>, by result.</summary>
    private static async Task<Dictionary<string, double>> Rounds(TestNode node, string peer)
    {
        using var response = await node.GetAdminAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        return RoundLine().Matches(text).Where(m => m.Groups["peer"].Value == peer).ToDictionary(m => m.Groups["result"].Value,
            m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture), StringComparer.Ordinal);
    }

    [GeneratedRegex("""^replication_antientropy_rounds_total\{peer="(?<peer>[^"]+)",result="(?<result>[a-z]+)"\} (?<value>[0-9.e+]+)$""", RegexOptions.Multiline)]
    private static partial Regex RoundLine();
}
