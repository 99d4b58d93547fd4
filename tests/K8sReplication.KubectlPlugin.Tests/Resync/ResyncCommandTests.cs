using K8sReplication.Contracts.Health;
using K8sReplication.KubectlPlugin.Output;
using K8sReplication.KubectlPlugin.Resync;

namespace K8sReplication.KubectlPlugin.Tests.Resync;

public sealed class ResyncCommandTests
{
    [Fact]
    public void Table_ShowsEachPeersRound()
    {
        var text = ResyncCommand.Table("demo-0",
        [
            new PeerRound("demo-1", new AntiEntropyResult { Result = "repaired", RowsRepaired = 3, DurationSeconds = 0.25 }),
            new PeerRound("demo-2", new AntiEntropyResult { Result = "failed", Error = "peer unavailable" }),
        ], new Palette(false));

        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("anti-entropy rounds of demo-0:", lines[0]);
        Assert.Equal(["demo-1", "repaired", "3", "0.25s"], lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.EndsWith("peer unavailable", lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public void NewRounds_AreThoseAfterTheRequest_NotADeferredScheduledOne()
    {
        var before = DateTimeOffset.UnixEpoch.AddHours(1);
        var after = before.AddSeconds(1);
        PeerHealth Peer(string name, string result, DateTimeOffset at) =>
            new() { Name = name, LastAntiEntropy = new AntiEntropyResult { Result = result, At = at } };
        var previous = new Dictionary<string, DateTimeOffset?> { ["a"] = before, ["b"] = before, ["c"] = before };

        var rounds = ResyncCommand.NewRounds([Peer("a", "equal", after), Peer("b", "deferred", after), Peer("c", "repaired", before)], previous);

        Assert.Equal(["a"], rounds.Select(r => r.Peer));
    }
}
