using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using K8sReplication.Bench.Mesh;
using K8sReplication.Contracts;

namespace K8sReplication.Bench.Cases;

/// <summary>
/// Equal-roots probe cost: one GET /v1/merkle on the wire (request + response bytes, headers included, counted on a
/// raw socket) and its round trip, against a member whose data equals ours.
/// </summary>
internal static class ProbeCase
{
    public static async Task<(int Bytes, double Ms)> RunAsync(BenchNode peer)
    {
        var request = Encoding.ASCII.GetBytes($"GET {Paths.Merkle} HTTP/1.1\r\nHost: {peer.ReplicationUrl.Authority}\r\nAccept-Encoding: br, gzip\r\nConnection: close\r\n\r\n");
        var sw = Stopwatch.StartNew();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(peer.ReplicationUrl.Host, peer.ReplicationUrl.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(request);
        var buffer = new byte[64 * 1024];
        var received = 0;
        int n;
        var scratch = new byte[64 * 1024];
        // The answer may come in several reads: each lands after the one before (the status line stays first); once
        // the buffer is full the rest is only counted.
        while ((n = await stream.ReadAsync(received < buffer.Length ? buffer.AsMemory(received) : scratch)) > 0)
        {
            received += n;
        }

        var ms = sw.Elapsed.TotalMilliseconds;
        var head = Encoding.ASCII.GetString(buffer, 0, Math.Min(received, buffer.Length));
        if (!head.StartsWith("HTTP/1.1 200", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("GET /v1/merkle failed: " + head);
        }

        return (request.Length + received, ms);
    }
}
