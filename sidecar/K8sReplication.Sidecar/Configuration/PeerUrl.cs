using System.Net;
using System.Net.Sockets;

namespace K8sReplication.Sidecar.Configuration;

/// <summary>
/// The rule for a peer's replication URL. The sidecar sends its bearer token to every peer URL and shows the URLs
/// in the unauthenticated <c>/v1/status</c>, so a URL is refused when it could aim the token at the node's cloud
/// metadata service (link-local addresses) or carry credentials of its own.
/// </summary>
/// <remarks>
/// Addresses are checked as written; host names are not resolved here (a name resolves at connect time, possibly
/// differently), so <c>metadata.google.internal</c>-style names are not refused by name — listing them would be
/// incomplete by nature, while the operator only ever sends pod IP addresses. Loopback stays allowed: tests and
/// single-host setups run every member on 127.0.0.1.
/// </remarks>
internal static class PeerUrl
{
    /// <summary>Why <paramref name="text"/> is not a usable peer URL, or null with the parsed <paramref name="url"/>.</summary>
    public static string? Problem(string? text, out Uri? url)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            // Not quoted when it has an '@': the text before it may be a password.
            return (text?.Contains('@', StringComparison.Ordinal) == true ? "the URL" : InputQuote.Quote(text)) + " is not an absolute http(s) URL";
        }

        // Checked before anything quotes the URL, so credentials are never echoed.
        if (url.UserInfo.Length > 0 || url.OriginalString.Contains('@', StringComparison.Ordinal))
        {
            return "must not carry user info (credentials); the mesh token authenticates peers";
        }

        if (string.IsNullOrEmpty(url.Host))
        {
            return $"{InputQuote.Quote(text)} has no host";
        }

        if (url.Query.Length > 0 || url.Fragment.Length > 0 || url.OriginalString.Contains('?', StringComparison.Ordinal) || url.OriginalString.Contains('#', StringComparison.Ordinal))
        {
            return $"{InputQuote.Quote(text)} must not have a query or fragment (it is a base URL)";
        }

        return AddressOf(url) is { } address && AddressProblem(address) is { } problem
            ? $"{InputQuote.Quote(text)} {problem}"
            : null;
    }

    /// <summary>The host as an IP address when it is one (also a numeric host written with a trailing dot).</summary>
    private static IPAddress? AddressOf(Uri url)
    {
        if (url.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6)
        {
            return IPAddress.Parse(url.IdnHost.Trim('[', ']'));
        }

        var host = url.IdnHost.TrimEnd('.');
        return IPAddress.TryParse(host, out var parsed) ? parsed : null;
    }

    /// <summary>Why a peer may not be at <paramref name="address"/> (link-local, unspecified), or null.</summary>
    public static string? AddressProblem(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return "is the unspecified address, not a peer";
        }

        var linkLocal = address.AddressFamily == AddressFamily.InterNetwork
            ? address.GetAddressBytes() is [169, 254, _, _]
            : address.IsIPv6LinkLocal;
        return linkLocal ? "is a link-local address (169.254.0.0/16, fe80::/10: cloud metadata services live there)" : null;
    }
}
