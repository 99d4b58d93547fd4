using System.Net;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Config;
using K8sReplication.TestKit;

namespace K8sReplication.Sidecar.Tests.Integration;

/// <summary>
/// <c>POST /v1/antientropy</c>: with the hot path off and an hour between rounds, a row reaches the other member only
/// because a round was requested.
/// </summary>
public sealed class AntiEntropyRequestTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task RequestedRound_RunsNow_NotAtTheNextInterval_AndNeedsTheToken()
    {
        await using var mesh = await TestMesh.StartAsync(2, interval: "1h", env: new Dictionary<string, string> { ["K8SREPL_FAULTS"] = "hotpath-off" });
        for (var i = 0; i < 2; i++)
        {
            using var pushed = await mesh[i].PushConfigAsync(new SidecarConfig
            {
                Generation = 1,
                Peers = [new PeerConfig { Name = mesh[1 - i].Name, Url = mesh[1 - i].ReplicationUrl.ToString() }],
                AntiEntropy = new AntiEntropyConfig { Interval = "1h" },
            });
            Assert.True(pushed.IsSuccessStatusCode, await pushed.Content.ReadAsStringAsync());
        }

        // A new peer is probed about a second after it is added; after that round the next one is an hour away.
        await Eventually.ValueAsync(() => mesh[0].StatusAsync(), s => s.Peers.Count == 1 && s.Peers[0].LastAntiEntropy is not null, Timeout, "the first probe of n1");
        mesh[1].Exec("INSERT INTO items VALUES ('late', 'x', 1)");
        await Eventually.ValueAsync(() => mesh[1].StatusAsync(), s => s.Rows == 1, Timeout, "n1 to fold its write into its Merkle tree");

        using (var anonymous = await mesh[0].SendAsync(HttpMethod.Post, mesh[0].Process.AdminUrl, Paths.AntiEntropy))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        Assert.Equal(0, mesh[0].Count());
        using (var accepted = await mesh[0].SendAsync(HttpMethod.Post, mesh[0].Process.AdminUrl, Paths.AntiEntropy, bearer: mesh.Token))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            Assert.Contains("requested", await accepted.Content.ReadAsStringAsync());
        }

        await Eventually.TrueAsync(() => mesh[0].Count() == 1, Timeout, "the requested round to repair the row");
    }
}
