using System.Net.Sockets;
using System.Net;
using K8sReplication.Sidecar.Configuration;

namespace K8sReplication.Sidecar.Pull;

/// <summary>
/// Opens peer connections after resolving the host and dropping addresses a peer may not have (link-local, where
/// cloud metadata services answer, and the unspecified address). Config validation refuses such addresses written in
/// a URL; this closes the gap of a host name that resolves to one, at the moment it resolves.
/// </summary>
internal static class PeerConnector
{
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
        var allowed = addresses.Where(a => PeerUrl.AddressProblem(a) is null).ToArray();
        if (allowed.Length == 0)
        {
            throw new HttpRequestException($"peer host '{endpoint.Host}' resolves to no address a peer may have ({string.Join(", ", addresses.Take(4))})");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, endpoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
