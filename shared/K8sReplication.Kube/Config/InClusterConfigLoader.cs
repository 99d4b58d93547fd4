using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace K8sReplication.Kube.Config;

internal static class InClusterConfigLoader
{
    public const string DefaultRoot = "/var/run/secrets/kubernetes.io/serviceaccount";

    public static KubeClientConfig Load(string root, Func<string, string?> env)
    {
        var host = env("KUBERNETES_SERVICE_HOST");
        var port = env("KUBERNETES_SERVICE_PORT");
        if (string.IsNullOrEmpty(host))
        {
            throw new KubeConfigException("in-cluster config: KUBERNETES_SERVICE_HOST is not set (not running in a pod?)");
        }

        if (string.IsNullOrEmpty(port))
        {
            throw new KubeConfigException("in-cluster config: KUBERNETES_SERVICE_PORT is not set");
        }

        if (!int.TryParse(port, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var portNumber)
            || portNumber is < 1 or > 65535)
        {
            throw new KubeConfigException($"in-cluster config: KUBERNETES_SERVICE_PORT '{port}' is not a port number");
        }

        var tokenFile = Path.Combine(root, "token");
        if (!File.Exists(tokenFile))
        {
            throw new KubeConfigException($"in-cluster config: service-account token file {tokenFile} does not exist");
        }

        var caFile = Path.Combine(root, "ca.crt");
        if (!File.Exists(caFile))
        {
            throw new KubeConfigException($"in-cluster config: CA file {caFile} does not exist");
        }

        var ca = new X509Certificate2Collection();
        try
        {
            ca.ImportFromPemFile(caFile);
        }
        catch (CryptographicException ex)
        {
            throw new KubeConfigException($"in-cluster config: CA file {caFile} is not valid PEM: {ex.Message}", ex);
        }

        if (ca.Count == 0)
        {
            throw new KubeConfigException($"in-cluster config: CA file {caFile} contains no certificate");
        }

        var nsFile = Path.Combine(root, "namespace");
        var ns = File.Exists(nsFile) ? File.ReadAllText(nsFile).Trim() : "";
        var hostPart = host.Contains(':', StringComparison.Ordinal) ? "[" + host + "]" : host;
        return new KubeClientConfig
        {
            Server = new Uri("https://" + hostPart + ":" + portNumber.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Namespace = ns.Length == 0 ? "default" : ns,
            CertificateAuthorities = ca,
            BearerTokenFile = tokenFile,
            Source = "in-cluster service account " + root,
        };
    }
}
