using System.Net;
using k8s;
using K8sReplication.Operator.Mesh;
using K8sReplication.Operator.Pki;
using K8sReplication.Operator.Webhook;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace K8sReplication.Operator.Hosting;

/// <summary>
/// The sidecar-injection webhook inside the operator's host: an HTTPS listener whose certificate is chosen at every
/// handshake (so a renewed one is used at once), <c>POST /inject</c> on that listener only, and the certificate keeper.
/// </summary>
internal sealed class WebhookHosting(WebhookOptions options)
{
    private ListenOptions? _listener;

    public WebhookOptions Options { get; } = options;

    public ServingCertificate Serving { get; } = new();

    /// <summary>The bound port (the real one after <c>--webhook-listen HOST:0</c>), once the host started.</summary>
    public int Port => _listener?.EndPoint is IPEndPoint endpoint ? endpoint.Port : 0;

    public string Url
    {
        get
        {
            var endpoint = (IPEndPoint)_listener!.EndPoint;
            var address = endpoint.Address.Equals(IPAddress.Any) ? IPAddress.Loopback : endpoint.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback : endpoint.Address;
            return "https://" + new IPEndPoint(address, Port);
        }
    }

    public void Listen(KestrelServerOptions kestrel) =>
        kestrel.Listen(Options.Listen, o =>
        {
            _listener = o;
            o.UseHttps(https => https.ServerCertificateSelector = (_, _) => Serving.Current);
        });

    public void Map(WebApplication app, Func<string, IReadOnlyList<ReplicationMesh>> meshes, Func<bool> meshesKnown, ILogger logger)
    {
        var handler = new AdmissionReviewHandler(meshes, meshesKnown, Options.Injection, logger);
        app.MapPost(WebhookOptions.Path, handler.HandleAsync);
    }

    /// <summary>The namespace of the webhook's Service and Secret: the flag, else the pod's own namespace, else the client's.</summary>
    public string Namespace(string clientNamespace) =>
        Options.ServiceNamespace ?? PodEnvironment.Namespace ?? clientNamespace;

    public WebhookCertificateKeeper Keeper(IKubernetes client, string clientNamespace, ILogger logger, TimeProvider time) =>
        new(client, Options, Namespace(clientNamespace), Serving, new PkiOptions(), logger, time);

    /// <summary>Which listener a path belongs to: <c>/inject</c> only on the webhook's, nothing else there.</summary>
    public static bool Misrouted(HttpContext context, WebhookHosting? webhook)
    {
        if (webhook is null)
        {
            return context.Request.Path == WebhookOptions.Path;
        }

        var onWebhookPort = context.Connection.LocalPort == webhook.Port;
        return onWebhookPort != (context.Request.Path == WebhookOptions.Path);
    }
}
