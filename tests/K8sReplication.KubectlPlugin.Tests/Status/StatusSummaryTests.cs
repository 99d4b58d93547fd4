using K8sReplication.Contracts.Health;
using K8sReplication.KubectlPlugin.Output;
using K8sReplication.KubectlPlugin.Status;

namespace K8sReplication.KubectlPlugin.Tests.Status;

public sealed class StatusSummaryTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 31, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void FromHealth_TakesTheLargestPeerLag_AndTheBackupState()
    {
        var health = new SidecarHealth
        {
            Ready = true,
            State = EngineState.Running,
            MerkleRoot = "abcdef0123456789",
            Rows = 41,
            Conflicts = 2,
            Peers = [new PeerHealth { LagSeconds = 0.5 }, new PeerHealth { LagSeconds = 2.25 }],
            Backup = new BackupHealth { LastSuccessAt = Now.AddSeconds(-4) },
            SchemaHashes = new Dictionary<string, string> { ["items"] = "h1" },
        };

        var member = StatusSummary.FromHealth("demo-0", health);

        Assert.Equal((true, "Running", 2.25, 41L, 2L), (member.Ready, member.State, member.LagSeconds, member.Rows, member.Conflicts));
        Assert.True(member.BackupConfigured);
        Assert.Contains("4s ago", StatusSummary.Table(Report(member), new Palette(false), Now));
    }

    [Fact]
    public void SchemaDigest_IgnoresOrder_AndChangesWithAnyHash()
    {
        var a = StatusSummary.SchemaDigest(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" });
        var b = StatusSummary.SchemaDigest(new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" });
        var c = StatusSummary.SchemaDigest(new Dictionary<string, string> { ["a"] = "1", ["b"] = "3" });

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(8, a.Length);
    }

    [Fact]
    public void MarkSchemaDifferences_MarksMembersOffTheMostCommonSchema()
    {
        var members = StatusSummary.MarkSchemaDifferences(
        [
            new MemberStatus { Pod = "a", Schema = "s1" },
            new MemberStatus { Pod = "b", Schema = "s2" },
            new MemberStatus { Pod = "c", Schema = "s1" },
            new MemberStatus { Pod = "d", Error = "unreachable" },
        ]);

        Assert.Equal(["b"], members.Where(m => m.SchemaDiffers).Select(m => m.Pod));
    }

    [Fact]
    public void Table_ColoursOnlyWhenAsked_AndListsUnreachableMembersWithTheirReason()
    {
        var report = Report(
            new MemberStatus { Pod = "demo-0", Ready = true, MerkleRoot = "aaaaaaaaaaaaaaaa", Schema = "s1" },
            new MemberStatus { Pod = "demo-1", Error = "pod demo-1: GET /v1/status on port 8901 failed: refused" },
            new MemberStatus { Pod = "demo-2", Ready = true, BackupConfigured = true, BackupError = "access denied" });

        var plain = StatusSummary.Table(report, new Palette(false), Now);
        var coloured = StatusSummary.Table(report, new Palette(true), Now);

        Assert.DoesNotContain("\e[", plain);
        Assert.Contains("\e[", coloured);
        Assert.Contains("unreachable", plain);
        Assert.Contains("pod demo-1: GET /v1/status on port 8901 failed: refused", plain);
        Assert.Contains("error: access denied", plain);
        Assert.Contains("aaaaaaaaaaaa ", plain);
    }

    [Theory]
    [InlineData(5, "5s")]
    [InlineData(600, "10m")]
    [InlineData(10_800, "3h")]
    [InlineData(259_200, "3d")]
    public void Age_IsShortAndCoarse(int seconds, string expected)
    {
        Assert.Equal(expected, StatusSummary.Age(TimeSpan.FromSeconds(seconds)));
    }

    private static StatusReport Report(params MemberStatus[] members) => new() { Mesh = "demo", Namespace = "default", Phase = "Running", Members = members };
}
