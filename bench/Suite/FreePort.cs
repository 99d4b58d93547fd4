using System.Net;
using System.Net.Sockets;

namespace K8sReplication.Bench.Suite;

/// <summary>A free loopback port for peer servers that cannot bind port 0 and report it (redis, postgres).</summary>
internal static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
