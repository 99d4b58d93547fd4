using System.Net;
using K8sReplication.Contracts.Config;
using K8sReplication.TestKit;

namespace K8sReplication.Sidecar.Tests.Integration;

/// <summary>PUT /v1/config adds and removes peers live; stale generations get 409; bad configs change nothing.</summary>
public sealed class LiveConfigTests
{
    [Fact]
    public async Task PushedConfig_AddsAndRemovesAPeer_StatusReflectsIt()
    {
        await using var mesh = await TestMesh.StartAsync(2);
        Assert.Empty((await mesh[0].StatusAsync()).Peers);

        await mesh[0].SetPeersAsync(3, ("n1", mesh[1].ReplicationUrl));
        mesh[1].Exec("INSERT INTO items VALUES ('x', 'y', 1)");
        await Eventually.TrueAsync(() => mesh[0].Count() == 1, TimeSpan.FromSeconds(30), "the added peer's rows arrive");
        var status = await mesh[0].StatusAsync();
        Assert.Equal(3, status.ConfigGeneration);
        var peer = Assert.Single(status.Peers);
        Assert.Equal("n1", peer.Name);
        Assert.Equal(mesh[1].Process.Site, peer.Site);
        await Eventually.ValueAsync(mesh[0].StatusAsync, s => s.PeersConnected == 1, TimeSpan.FromSeconds(10), "peer connected");

        using (var stale = await mesh[0].PushConfigAsync(new SidecarConfig { Generation = 2, Peers = [] }))
        {
            Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
            Assert.Contains("generation", await stale.Content.ReadAsStringAsync());
        }

        using (var invalid = await mesh[0].PushConfigAsync(new SidecarConfig { Generation = 9, Peers = [new PeerConfig { Name = "bad", Url = "not a url" }] }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
            Assert.Contains("peers[0].url", await invalid.Content.ReadAsStringAsync());
        }

        Assert.Single((await mesh[0].StatusAsync()).Peers);

        await mesh[0].SetPeersAsync(4);
        status = await mesh[0].StatusAsync();
        Assert.Empty(status.Peers);
        Assert.Equal(4, status.ConfigGeneration);
        Assert.True(status.Ready);
    }
}
