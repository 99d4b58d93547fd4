using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace K8sReplication.TestKit.Tls;

/// <summary>HTTP clients for a mutual-TLS sidecar: trusting only the given CA, presenting a client certificate or none.</summary>
public static class TlsTestClient
{
    /// <summary>
    /// A client that presents <paramref name="clientCertificate"/> (none when null) and accepts a server certificate
    /// chaining to <paramref name="trusted"/>; <paramref name="seen"/> receives each server certificate it is shown.
    /// </summary>
    public static HttpClient Create(X509Certificate2? clientCertificate, TestCertificateAuthority trusted, Action<X509Certificate2>? seen = null)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionLifetime = TimeSpan.Zero,
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = clientCertificate is null ? null : [clientCertificate],
                LocalCertificateSelectionCallback = clientCertificate is null ? null : (_, _, _, _, _) => clientCertificate,
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    if (certificate is null)
                    {
                        return false;
                    }

                    var server = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                    seen?.Invoke(server);
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(trusted.Certificate);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(server);
                },
            },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }
}
