using System.Net;
using K8sReplication.Operator.Injection;

namespace K8sReplication.Operator.Webhook;

/// <summary>The sidecar-injection webhook's settings, from the operator's flags; present only with <c>--webhook-listen</c>.</summary>
internal sealed record WebhookOptions
{
    public const string DefaultServiceName = "k8srepl-webhook";
    public const string Path = "/inject";

    /// <summary><c>--webhook-listen</c>: where the HTTPS server listens.</summary>
    public required IPEndPoint Listen { get; init; }

    /// <summary><c>--webhook-configuration</c>: the MutatingWebhookConfiguration whose caBundle the operator keeps current.</summary>
    public required string ConfigurationName { get; init; }

    /// <summary><c>--webhook-service</c>: the Service in front of the webhook; its DNS names go into the serving certificate.</summary>
    public string ServiceName { get; init; } = DefaultServiceName;

    /// <summary><c>--webhook-service-namespace</c>; null: POD_NAMESPACE, else the client's namespace. The Secret lives there too.</summary>
    public string? ServiceNamespace { get; init; }

    /// <summary><c>--webhook-secret</c>: the Secret holding the webhook's CA and serving certificate; null: <c>SERVICE-tls</c>.</summary>
    public string? SecretName { get; init; }

    public required InjectionOptions Injection { get; init; }

    /// <summary>The DNS names the API server uses for the Service, which the serving certificate must carry.</summary>
    public static IReadOnlyList<string> DnsNames(string service, string @namespace) =>
        [$"{service}.{@namespace}.svc", $"{service}.{@namespace}.svc.cluster.local"];
}
