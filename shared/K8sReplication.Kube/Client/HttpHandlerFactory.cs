using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using K8sReplication.Kube.Config;

namespace K8sReplication.Kube.Client;

/// <summary>Builds the socket handler: timeouts, connection recycling, and TLS trust from the configuration.</summary>
internal static class HttpHandlerFactory
{
    public static SocketsHttpHandler Create(KubeClientConfig config, KubeClientOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = options.ConnectTimeout,

            // Recycle pooled connections so DNS/endpoint changes of the API server are picked up.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            UseCookies = false,
            AllowAutoRedirect = false,
        };

        if (config.Server.Scheme != Uri.UriSchemeHttps)
        {
            return handler;
        }

        var ssl = new SslClientAuthenticationOptions();
        if (config.ClientCertificate is not null)
        {
            ssl.ClientCertificates = new X509CertificateCollection { config.ClientCertificate };
        }

        if (config.InsecureSkipTlsVerify)
        {
            ssl.RemoteCertificateValidationCallback = static (_, _, _, _) => AcceptAny();
        }
        else if (config.CertificateAuthorities is { Count: > 0 } roots)
        {
            ssl.RemoteCertificateValidationCallback = (_, certificate, _, errors) => Validate(certificate, errors, roots);
        }

        handler.SslOptions = ssl;
        return handler;
    }

    // The user asked for insecure-skip-tls-verify explicitly in their configuration.
    private static bool AcceptAny() => true;

    /// <summary>Chain to the configured roots only (not the system store); the host name must still match.</summary>
    private static bool Validate(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection roots)
    {
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (certificate is X509Certificate2 full)
        {
            return chain.Build(full);
        }

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(leaf);
    }
}
