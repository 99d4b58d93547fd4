using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static K8sReplication.TestKit.Kube.Resources.WebhookConfigurationValidation;

namespace K8sReplication.TestKit.Kube.Admission;

/// <summary>
/// POSTs an AdmissionReview to a webhook the way kube-apiserver's webhook client does: HTTPS over HTTP/1.1 to
/// <c>clientConfig.url</c>, or to <c>https://name.namespace.svc:port/path</c> for a service reference (dialled at the
/// endpoint <see cref="ApiServerEmulatorOptions.ServiceEndpoints"/> maps it to); the server certificate must chain to
/// <c>caBundle</c> alone (the system roots when there is none) and be valid for the URL's host, or for
/// <c>name.namespace.svc</c>; <c>?timeout=Ns</c> tells the webhook its deadline. Every failure is a
/// <see cref="WebhookCallException"/> worded like the real server's.
/// </summary>
internal sealed class WebhookClient
{
    private readonly ConcurrentDictionary<string, DnsEndPoint> _serviceEndpoints;

    public WebhookClient(ConcurrentDictionary<string, DnsEndPoint> serviceEndpoints)
    {
        _serviceEndpoints = serviceEndpoints;
    }

    public async Task<JsonObject> PostAsync(JsonObject hook, JsonObject review, CancellationToken cancellationToken)
    {
        var config = hook["clientConfig"] as JsonObject ?? [];
        var timeout = TimeSpan.FromSeconds(hook["timeoutSeconds"]?.GetValue<int>() ?? 10);
        var (url, serverName, dialTarget) = Locate(config, timeout);
        var shown = url.OriginalString;
        var roots = TrustedRoots(config);
        string? tlsFailure = null;
        using var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                ApplicationProtocols = [SslApplicationProtocol.Http11],
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    tlsFailure = VerifyServer(certificate, errors, roots, serverName);
                    return tlsFailure is null;
                },
            },
        };
        if (dialTarget is not null)
        {
            handler.ConnectCallback = async (_, token) => await DialAsync(dialTarget, token);
        }

        using var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new StringContent(review.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json");

        // The webhook deadline is wall-clock time like the network it bounds, not the emulator's (possibly fake) clock.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        string body;
        HttpStatusCode status;
        try
        {
            using var response = await client.SendAsync(request, deadline.Token);
            status = response.StatusCode;
            body = await response.Content.ReadAsStringAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Failed(shown, "context deadline exceeded");
        }
        catch (HttpRequestException e)
        {
            throw Failed(shown, tlsFailure is not null ? "tls: failed to verify certificate: " + tlsFailure : Describe(e, dialTarget, url));
        }

        if ((int)status is < 200 or > 299)
        {
            var message = TryParse(body)?["message"]?.GetValue<string>();
            throw Failed(shown, message ?? $"an error on the server (\"{body.Trim()}\") has prevented the request from succeeding");
        }

        return TryParse(body) ?? throw new WebhookCallException("received invalid webhook response: the response is not a JSON object");
    }

    private (Uri Url, string ServerName, DnsEndPoint? DialTarget) Locate(JsonObject config, TimeSpan timeout)
    {
        var query = "?timeout=" + ((int)Math.Ceiling(timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture) + "s";
        if (Text(config, "url") is { } url)
        {
            var uri = new Uri(url + query);
            return (uri, uri.IdnHost, null);
        }

        var service = config["service"] as JsonObject ?? [];
        var name = Text(service, "name") ?? "";
        var ns = Text(service, "namespace") ?? "";
        var port = service["port"]?.GetValue<int>() ?? 443;
        var serverName = $"{name}.{ns}.svc";
        var target = new Uri($"https://{serverName}:{port}{Text(service, "path") ?? ""}{query}");
        if (!_serviceEndpoints.TryGetValue(ApiServerEmulatorOptions.ServiceKey(ns, name, port), out var endpoint))
        {
            throw Failed(target.OriginalString, $"no endpoints available for service \"{name}\"");
        }

        return (target, serverName, endpoint);
    }

    private static X509Certificate2Collection? TrustedRoots(JsonObject config)
    {
        if (Text(config, "caBundle") is not { Length: > 0 } bundle)
        {
            return null;
        }

        try
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPem(Encoding.UTF8.GetString(Convert.FromBase64String(bundle)));
            return roots.Count > 0 ? roots : throw new WebhookCallException("could not get REST client: unable to load root certificates: no valid certificate authority data seen");
        }
        catch (Exception e) when (e is FormatException or System.Security.Cryptography.CryptographicException)
        {
            throw new WebhookCallException("could not get REST client: unable to load root certificates: " + e.Message, e);
        }
    }

    /// <summary>Null when the certificate is acceptable, else why not, in Go's x509 wording.</summary>
    private static string? VerifyServer(X509Certificate? presented, SslPolicyErrors errors, X509Certificate2Collection? roots, string serverName)
    {
        if (presented is null)
        {
            return "remote error: no certificate";
        }

        using var certificate = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        if (roots is null)
        {
            if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0)
            {
                return "x509: certificate signed by unknown authority";
            }
        }
        else
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(roots);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (!chain.Build(certificate))
            {
                var expired = chain.ChainStatus.Any(s => s.Status.HasFlag(X509ChainStatusFlags.NotTimeValid));
                return expired ? "x509: certificate has expired or is not yet valid" : "x509: certificate signed by unknown authority";
            }
        }

        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>()
                .SelectMany(e => e.EnumerateDnsNames().Concat(e.EnumerateIPAddresses().Select(ip => ip.ToString())))
                .ToList();
            return names.Count == 0
                ? "x509: certificate relies on legacy Common Name field, use SANs instead"
                : $"x509: certificate is valid for {string.Join(", ", names)}, not {serverName}";
        }

        return null;
    }

    private static async ValueTask<Stream> DialAsync(DnsEndPoint endpoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static string Describe(HttpRequestException e, DnsEndPoint? dialTarget, Uri url)
    {
        if (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
        {
            var address = dialTarget is null ? $"{url.Host}:{url.Port}" : $"{dialTarget.Host}:{dialTarget.Port}";
            return $"dial tcp {address}: connect: connection refused";
        }

        return e.InnerException?.Message ?? e.Message;
    }

    private static JsonObject? TryParse(string body)
    {
        try
        {
            return JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static WebhookCallException Failed(string url, string reason) => new($"failed to call webhook: Post \"{url}\": {reason}");
}
