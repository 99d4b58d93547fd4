using System.Globalization;
using System.Net;

namespace K8sReplication.Sidecar.Configuration;

/// <summary>A <c>HOST:PORT</c> listen address; port 0 asks the OS for a free port.</summary>
internal sealed record ListenAddress(IPAddress Address, int Port)
{
    public static bool TryParse(string? text, out ListenAddress? address)
    {
        address = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var colon = text.LastIndexOf(':');
        if (colon <= 0
            || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port > 65535)
        {
            return false;
        }

        var host = text[..colon].Trim('[', ']');
        IPAddress? ip = host switch
        {
            "localhost" => IPAddress.Loopback,
            "*" or "+" => IPAddress.Any,
            _ => IPAddress.TryParse(host, out var parsed) ? parsed : null,
        };
        if (ip is null)
        {
            return false;
        }

        address = new ListenAddress(ip, port);
        return true;
    }

    public override string ToString() => Address.ToString() + ":" + Port.ToString(CultureInfo.InvariantCulture);
}
