using System.Globalization;
using System.Net;

namespace K8sReplication.TestKit.Kube;

/// <summary>
/// The <c>apiserver</c> command's <c>--service-endpoint NAMESPACE/NAME[:PORT]=HOST:PORT</c>: one
/// <see cref="ApiServerEmulatorOptions.ServiceEndpoints"/> entry (the service port defaults to 443, as in a webhook's
/// clientConfig).
/// </summary>
internal static class ServiceEndpointArgument
{
    public static bool TryParse(string text, out string key, out DnsEndPoint endpoint)
    {
        key = "";
        endpoint = null!;
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (equals < 0 || slash <= 0 || slash > equals)
        {
            return false;
        }

        var service = text[(slash + 1)..equals];
        var port = 443;
        var colon = service.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            if (!int.TryParse(service[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            {
                return false;
            }

            service = service[..colon];
        }

        var target = text[(equals + 1)..];
        var targetColon = target.LastIndexOf(':');
        if (service.Length == 0 || targetColon <= 0
            || !int.TryParse(target[(targetColon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var targetPort) || targetPort is < 1 or > 65535)
        {
            return false;
        }

        key = ApiServerEmulatorOptions.ServiceKey(text[..slash], service, port);
        endpoint = new DnsEndPoint(target[..targetColon], targetPort);
        return true;
    }
}
