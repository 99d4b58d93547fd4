using System.Security.Cryptography.X509Certificates;

namespace K8sReplication.Kube.Config;

/// <summary>
/// Where and how to reach the API server. Build it with <see cref="Load"/> (in-cluster when running in a pod, else
/// kubeconfig), <see cref="FromKubeconfig"/> or <see cref="InCluster"/>, or set the properties directly.
/// </summary>
public sealed class KubeClientConfig
{
    public required Uri Server { get; init; }

    /// <summary>Namespace used when a call does not name one.</summary>
    public string Namespace { get; init; } = "default";

    /// <summary>Roots to trust for the server certificate (replacing the system store); null = system store.</summary>
    public X509Certificate2Collection? CertificateAuthorities { get; init; }

    public bool InsecureSkipTlsVerify { get; init; }

    /// <summary>Client certificate with its private key, for mutual TLS.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    public string? BearerToken { get; init; }

    /// <summary>A file holding the bearer token; re-read on rotation. Takes precedence over <see cref="BearerToken"/>.</summary>
    public string? BearerTokenFile { get; init; }

    /// <summary>Where this configuration came from, for error messages (e.g. "kubeconfig /x, context y").</summary>
    public string Source { get; init; } = "explicit configuration";

    /// <summary>
    /// In-cluster configuration when KUBERNETES_SERVICE_HOST is set and the service-account token exists; otherwise
    /// kubeconfig (KUBECONFIG, else ~/.kube/config).
    /// </summary>
    public static KubeClientConfig Load(Func<string, string?>? environment = null)
    {
        var env = environment ?? Environment.GetEnvironmentVariable;
        if (!string.IsNullOrEmpty(env("KUBERNETES_SERVICE_HOST"))
            && File.Exists(Path.Combine(InClusterConfigLoader.DefaultRoot, "token")))
        {
            return InCluster(null, env);
        }

        return FromKubeconfig(null, null, env);
    }

    /// <summary>
    /// Kubeconfig: <paramref name="path"/>, else the KUBECONFIG list (merged like kubectl: first file to define a name
    /// wins), else ~/.kube/config. <paramref name="context"/> overrides current-context.
    /// </summary>
    /// <exception cref="KubeConfigException">Missing or broken configuration.</exception>
    public static KubeClientConfig FromKubeconfig(string? path = null, string? context = null, Func<string, string?>? environment = null) =>
        KubeconfigLoader.Load(path, context, environment ?? Environment.GetEnvironmentVariable);

    /// <summary>
    /// In-cluster: KUBERNETES_SERVICE_HOST/PORT and the service-account folder (token, ca.crt, namespace).
    /// <paramref name="serviceAccountRoot"/> defaults to /var/run/secrets/kubernetes.io/serviceaccount.
    /// </summary>
    /// <exception cref="KubeConfigException">Missing or broken configuration.</exception>
    public static KubeClientConfig InCluster(string? serviceAccountRoot = null, Func<string, string?>? environment = null) =>
        InClusterConfigLoader.Load(serviceAccountRoot ?? InClusterConfigLoader.DefaultRoot, environment ?? Environment.GetEnvironmentVariable);
}
