namespace K8sReplication.TestKit.Kube.Http;

/// <summary>
/// A parsed resource path: <c>/api/v1[/namespaces/{ns}]/{resource}[/{name}[/{subresource}]]</c> or the
/// <c>/apis/{group}/{version}</c> form; for <c>.../{name}/proxy/{path}</c>, <see cref="ProxyPath"/> is <c>/{path}</c>.
/// </summary>
internal sealed record RequestTarget(string Group, string Version, string Resource, string? Subresource, string? Namespace, string? Name, bool WatchPath)
{
    public string? ProxyPath { get; init; }

    public static RequestTarget? Parse(string path)
    {
        var segments = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        string group;
        string version;
        string[] rest;
        if (segments.Length >= 3 && segments[0] == "api")
        {
            (group, version, rest) = ("", segments[1], segments[2..]);
        }
        else if (segments.Length >= 4 && segments[0] == "apis")
        {
            (group, version, rest) = (segments[1], segments[2], segments[3..]);
        }
        else
        {
            return null;
        }

        var watch = false;
        if (rest[0] == "watch")
        {
            watch = true;
            rest = rest[1..];
            if (rest.Length == 0)
            {
                return null;
            }
        }

        string? ns = null;
        if (rest[0] == "namespaces" && rest.Length >= 3 && !(rest.Length == 3 && rest[2] is "status" or "finalize"))
        {
            ns = rest[1];
            rest = rest[2..];
        }

        if (rest.Length >= 3 && rest[2] == "proxy")
        {
            var marker = $"/{rest[0]}/{rest[1]}/proxy";
            var at = path.IndexOf(marker, StringComparison.Ordinal);
            var proxyPath = at < 0 ? "/" : path[(at + marker.Length)..];
            return new RequestTarget(group, version, rest[0], "proxy", ns, rest[1], watch) { ProxyPath = proxyPath.Length == 0 ? "/" : proxyPath };
        }

        if (rest.Length > 3)
        {
            return null;
        }

        return new RequestTarget(group, version, rest[0], rest.Length > 2 ? rest[2] : null, ns, rest.Length > 1 ? rest[1] : null, watch);
    }
}
