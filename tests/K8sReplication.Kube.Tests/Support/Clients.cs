using K8sReplication.Kube.Client;
using K8sReplication.Kube.Config;

namespace K8sReplication.Kube.Tests.Support;

public static class Clients
{
    /// <summary>Fast retries and short timeouts so failure tests finish quickly.</summary>
    public static KubeClientOptions FastOptions { get; } = new()
    {
        RequestTimeout = TimeSpan.FromSeconds(10),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        Retry = new RetryPolicy { MaxAttempts = 4, InitialDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(200) },
    };

    public static KubeClient For(Uri server, string? token = null, string? tokenFile = null, KubeClientOptions? options = null) =>
        new(new KubeClientConfig { Server = server, BearerToken = token, BearerTokenFile = tokenFile }, options ?? FastOptions);
}
