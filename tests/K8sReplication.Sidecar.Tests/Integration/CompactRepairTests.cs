using K8sReplication.Contracts;
using K8sReplication.TestKit.Network;

namespace K8sReplication.Sidecar.Tests.Integration;

/// <summary>
/// Anti-entropy between real sidecars with the hot path off, through a proxy that counts requests per path: the
/// compact protocol repairs on its own; a peer without it (404, as a member that predates it answers) is repaired
/// through the JSON endpoints; and a broken compact answer fails the round, refused, until the peer behaves.
/// </summary>
public sealed class CompactRepairTests
{
    private static readonly Dictionary<string, string> HotPathOff = new() { ["K8SREPL_FAULTS"] = "hotpath-off" };

    /// <summary>Makes the compact endpoints answer as on a member that predates them.</summary>
    public static HostileAnswer ActAsOldMember(HostilePeer hostile) =>
        hostile.Fixed(Paths.MerkleCompact, 404, """{"error":"no endpoint"}""");

    [Fact]
    public async Task NewPeer_IsRepairedThroughTheCompactEndpointsOnly()
    {
        await using var s = await HostileScenario.StartAsync(interval: "500ms", env: HotPathOff);
        s.Member.Exec("INSERT INTO items VALUES ('c1', 'x', 1), ('c2', 'y', 2)");
        s.Member.Exec("DELETE FROM items WHERE id = 'c2'");
        await s.AwaitOnVictimAsync("c1", "the compact protocol repairs");
        await s.Mesh.WaitConvergedAsync(TimeSpan.FromSeconds(20), "the tombstone arrives too");

        Assert.True(s.Hostile.Requests(Paths.MerkleCompactNodes) > 0, "no compact nodes request");
        Assert.True(s.Hostile.Requests(Paths.MerkleCompactLeaves) > 0, "no compact leaves request");
        Assert.True(s.Hostile.Requests(Paths.MerkleCompactRows) > 0, "no compact rows request");
        Assert.Equal(0, s.Hostile.Requests(Paths.MerkleNodes));
        Assert.Equal(0, s.Hostile.Requests(Paths.Rows));
    }

    [Fact]
    public async Task PeerWithoutTheCompactEndpoints_IsRepairedThroughTheJsonEndpoints()
    {
        await using var s = await HostileScenario.StartAsync(interval: "500ms", env: HotPathOff);
        ActAsOldMember(s.Hostile);
        s.Member.Exec("INSERT INTO items VALUES ('o1', 'x', 1), ('o2', 'y', 2)");
        await s.AwaitOnVictimAsync("o1", "the JSON protocol repairs");
        await s.AwaitOnVictimAsync("o2", "the JSON protocol repairs");

        Assert.True(s.Hostile.Requests(Paths.MerkleCompactNodes) > 0, "the compact protocol was not probed");
        Assert.Equal(0, s.Hostile.Requests(Paths.MerkleCompactLeaves));
        Assert.True(s.Hostile.Requests(Paths.MerkleNodes) > 0, "no JSON nodes request");
        Assert.True(s.Hostile.Requests(Paths.Rows) > 0, "no JSON rows request");
        Assert.Equal(0, await s.RejectedAsync(HostileScenario.PeerName, "malformed", "invalid", "too_large"));
    }

    [Fact]
    public async Task BrokenCompactRowsAnswer_IsRefused_AndRepairResumesOnceThePeerBehaves()
    {
        await using var s = await HostileScenario.StartAsync(interval: "500ms", env: HotPathOff);
        await s.WriteOnMemberAndAwaitAsync("before", "anti-entropy through the hostile peer works");

        // Version 1, then 127 tables promised in two bytes.
        // Armed before the write: rows are only asked for once there is a difference.
        s.Hostile.Fixed(Paths.MerkleCompactRows, 200, "\u0001\u007f");
        s.Member.Exec("INSERT INTO items VALUES ('b1', 'x', 1)");
        await s.AwaitRejectedAsync(HostileScenario.PeerName, 0, "malformed");
        Assert.False(HostileScenario.Has(s.Victim, "b1"), "a row arrived through a refused answer:\n" + s.Victim.Dump());

        s.Hostile.ProxyAll();
        await s.AwaitOnVictimAsync("b1", "later rounds repair once the peer behaves");
        Assert.False(s.Victim.Process.HasExited);
    }
}
