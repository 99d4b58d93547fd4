using K8sReplication.Contracts.Conflicts;
using K8sReplication.KubectlPlugin.Conflicts;
using K8sReplication.KubectlPlugin.Output;

namespace K8sReplication.KubectlPlugin.Tests.Conflicts;

public sealed class ConflictsCommandTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 31, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Merge_IsNewestFirstAcrossMembers_AndKeepsTheLimit()
    {
        var merged = ConflictsCommand.Merge(
        [
            [Entry("demo-0", 1), Entry("demo-0", 5)],
            [Entry("demo-1", 3), Entry("demo-1", 4)],
        ], limit: 3);

        Assert.Equal([("demo-0", 5), ("demo-1", 4), ("demo-1", 3)], merged.Select(c => (c.Pod, (int)(c.Conflict.At - T0).TotalSeconds)));
    }

    [Fact]
    public void Table_ShowsKeyAndDiscardedValues_OrSaysThereAreNone()
    {
        var text = ConflictsCommand.Table([Entry("demo-0", 1)], new Palette(false));

        Assert.Contains("demo-0", text);
        Assert.Contains("(k1)", text);
        Assert.Contains("(k1, lost)", text);
        Assert.Equal("no conflicts logged\n", ConflictsCommand.Table([], new Palette(false)));
    }

    private static MemberConflict Entry(string pod, int second) => new(pod, new ConflictRecord
    {
        Table = "items",
        Key = ["k1"],
        Reason = "lww",
        Loser = new ConflictLoser { Hlc = 1, Site = "0123456789abcdef", Values = ["k1", "lost"] },
        Winner = new ConflictWinner { Hlc = 2, Site = "fedcba9876543210" },
        At = T0.AddSeconds(second),
    });
}
