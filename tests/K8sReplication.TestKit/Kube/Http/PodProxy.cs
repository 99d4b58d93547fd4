using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using K8sReplication.TestKit.Kube.Storage;

namespace K8sReplication.TestKit.Kube.Http;

/// <summary>
/// <c>pods/[scheme:]NAME[:PORT]/proxy/PATH</c> as kube-apiserver serves it: the pod's first IP and the given port (a
/// number used as is, or when absent the first declared container port), the method, query, body and end-to-end
/// headers forwarded, the answer streamed back. The Authorization header that authenticated the caller is not
/// forwarded (the real server removes it once authentication succeeds). Unlike the real server, loopback pod IPs are
/// allowed, since emulated pods are processes on 127.0.0.1.
/// </summary>
internal sealed class PodProxy
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer",
        "Transfer-Encoding", "Upgrade", "Host", "Authorization", "Content-Length", "Content-Type",
    };

    private readonly HttpClient _client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(30),
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        // As kube-apiserver's proxy transport: pods serve self-signed certificates, which it does not verify.
#pragma warning disable CA5359
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
#pragma warning restore CA5359
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>The backend URL for <paramref name="podId"/> (<c>name</c>, <c>name:port</c> or <c>scheme:name:port</c>).</summary>
    public static Uri Locate(string podId, Func<string, JsonObject> getPod, string path, string query)
    {
        var parts = podId.Split(':');
        var (scheme, name, port) = parts.Length switch
        {
            1 => ("", parts[0], ""),
            2 => ("", parts[0], parts[1]),
            3 => (parts[0], parts[1], parts[2]),
            _ => ("", "", ""),
        };
        if (name.Length == 0 || scheme is not ("" or "http" or "https"))
        {
            throw ApiErrors.BadRequest($"invalid pod request \"{podId}\"");
        }

        var pod = getPod(name);
        if (port.Length == 0)
        {
            port = FirstContainerPort(pod) ?? "";
        }

        var ip = pod["status"]?["podIPs"]?[0]?["ip"]?.GetValue<string>() ?? pod["status"]?["podIP"]?.GetValue<string>();
        if (ip is null || !IPAddress.TryParse(ip, out var address))
        {
            throw ApiErrors.BadRequest("address not allowed");
        }

        var host = address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        var authority = port.Length == 0 ? host : $"{host}:{port}";
        var target = $"{(scheme.Length == 0 ? "http" : scheme)}://{authority}{path}{query}";
        if (!Uri.TryCreate(target, UriKind.Absolute, out var uri) || (port.Length > 0 && !int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            // The real server puts the port into the URL verbatim; a container port name then fails to dial.
            throw new ApiException(503, "ServiceUnavailable", $"error trying to reach service: dial tcp: lookup tcp/{port}: unknown port");
        }

        return uri;
    }

    public async Task ForwardAsync(HttpContext context, Uri target, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), target);
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            request.Content = new StreamContent(context.Request.Body);
            if (context.Request.ContentType is { } contentType)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
        }

        foreach (var (key, values) in context.Request.Headers)
        {
            if (!HopByHop.Contains(key) && !request.Headers.TryAddWithoutValidation(key, (IEnumerable<string?>)values))
            {
                request.Content?.Headers.TryAddWithoutValidation(key, (IEnumerable<string?>)values);
            }
        }

        request.Headers.TryAddWithoutValidation("X-Forwarded-For", context.Connection.RemoteIpAddress?.ToString());
        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new ApiException(503, "ServiceUnavailable", $"error trying to reach service: {e.InnerException?.Message ?? e.Message}");
        }

        using (response)
        {
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var (key, values) in response.Headers.Concat(response.Content.Headers))
            {
                if (!HopByHop.Contains(key) || key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) || key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    context.Response.Headers[key] = values.ToArray();
                }
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                // Flushed per read so streamed answers (event streams, long polls) reach the caller as they come.
                await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                await context.Response.Body.FlushAsync(cancellationToken);
            }
        }
    }

    private static string? FirstContainerPort(JsonObject pod)
    {
        foreach (var container in pod["spec"]?["containers"] as JsonArray ?? [])
        {
            if (container?["ports"] is JsonArray { Count: > 0 } ports)
            {
                return ports[0]?["containerPort"]?.ToJsonString();
            }
        }

        return null;
    }
}
