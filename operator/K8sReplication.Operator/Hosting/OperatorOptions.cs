using System.Net;
using K8sReplication.Operator.Mesh;

namespace K8sReplication.Operator.Hosting;

/// <summary>Settings of one operator process, from its command line. Every tunable has a named default.</summary>
internal sealed record OperatorOptions
{
    public static readonly IPEndPoint DefaultHealthListen = new(IPAddress.Any, 8081);
    public static readonly IPEndPoint DefaultMetricsListen = new(IPAddress.Any, 8080);
    public const int DefaultMaxConcurrentReconciles = 4;
    public const string LeaseName = "k8srepl-operator";

    /// <summary>Kubeconfig file; null: KUBECONFIG, else ~/.kube/config, else the pod's service account.</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>Namespace watched; null (the default): all namespaces.</summary>
    public string? Namespace { get; init; }

    public IPEndPoint HealthListen { get; init; } = DefaultHealthListen;

    public IPEndPoint MetricsListen { get; init; } = DefaultMetricsListen;

    public bool LeaderElect { get; init; }

    /// <summary>Namespace of the leader Lease; null: the client's namespace (the pod's, in a cluster).</summary>
    public string? LeaseNamespace { get; init; }

    public TimeSpan Resync { get; init; } = MeshReconcilerOptions.DefaultResync;

    public int MaxConcurrentReconciles { get; init; } = DefaultMaxConcurrentReconciles;

    /// <summary>Lifetimes of the certificates issued for meshes in TLS mode Operator.</summary>
    public Pki.PkiOptions Pki { get; init; } = new();

    /// <summary>Whether meshes get a NetworkPolicy, and how it names the operator's pods.</summary>
    public Network.NetworkPolicyOptions NetworkPolicy { get; init; } = new();

    /// <summary>Candidate identity for leader election and the reporting instance of Events; default POD_NAME or the host name.</summary>
    public string? Identity { get; init; }

    // Hidden tunables (tests and tuning): lease timings, sidecar call timeout, watch silence limit.
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan SidecarTimeout { get; init; } = Sidecars.SidecarClient.DefaultTimeout;

    public TimeSpan WatchInactivityTimeout { get; init; } = Runtime.InformerOptions.DefaultInactivityTimeout;

    /// <summary>The sidecar-injection webhook; null (no <c>--webhook-listen</c>): off.</summary>
    public Webhook.WebhookOptions? Webhook { get; init; }
}
