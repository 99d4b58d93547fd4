using k8s;
using K8sReplication.Kube.Client;
using K8sReplication.Kube.Watch;

namespace K8sReplication.Kube.Tests.Support;

public static class Clients
{
    public static RetryPolicy FastRetry { get; } = new() { MaxAttempts = 4, InitialDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(200) };

    /// <summary>Fast retries and short timeouts so failure tests finish quickly.</summary>
    public static KubeConnectionOptions FastOptions { get; } = new() { RequestTimeout = TimeSpan.FromSeconds(10), Retry = FastRetry };

    /// <summary>Watch options with fast reconnects.</summary>
    public static WatchOptions Watch(TimeSpan inactivity, TimeSpan serverTimeout) =>
        new() { InactivityTimeout = inactivity, ServerTimeout = serverTimeout, Retry = FastRetry };

    public static KubeConnection For(Uri server, string? token = null, KubeConnectionOptions? options = null) =>
        KubeConnection.Open(new KubernetesClientConfiguration { Host = server.ToString(), AccessToken = token, Namespace = "default" }, options ?? FastOptions);

    public static KubeConnection ForKubeconfig(string kubeconfig, KubeConnectionOptions? options = null) =>
        KubeConnection.Open(KubeConnection.LoadConfig(kubeconfig), options ?? FastOptions);
}
