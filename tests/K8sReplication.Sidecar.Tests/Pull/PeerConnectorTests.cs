using System.Net.Sockets;
using System.Net;
using K8sReplication.Sidecar.Pull;

namespace K8sReplication.Sidecar.Tests.Pull;

/// <summary>Peer connections never reach link-local or unspecified addresses, however the host is written.</summary>
public sealed class PeerConnectorTests
{
    private static HttpClient Client() => new(new SocketsHttpHandler { ConnectCallback = PeerConnector.ConnectAsync, ConnectTimeout = TimeSpan.FromSeconds(2) });

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://[fe80::1]:8900/v1/schema")]
    [InlineData("http://0.0.0.0:8900/v1/schema")]
    public async Task RefusedAddress_IsNeverConnected(string url)
    {
        using var client = Client();
        var e = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri(url)));
        Assert.Contains("resolves to no address a peer may have", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostName_ResolvingToLoopback_Connects()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = listener.AcceptSocketAsync();
        using var client = Client();
        var request = client.GetAsync(new Uri($"http://localhost:{port}/"));
        using var socket = await accepted.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(socket.Connected);
        socket.Send("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"u8);
        using var response = await request.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }
}
