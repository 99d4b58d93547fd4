using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using K8sReplication.Sidecar.Security;

namespace K8sReplication.Sidecar.Pull;

/// <summary>
/// The HTTP client of every request to peers. Without TLS one handler for the process's life. With TLS each handler
/// is built from one reading of the TLS files: it presents that reading's certificate and accepts a peer only when its
/// certificate chains to that reading's CAs (<see cref="TlsMaterial.Trusts"/>). When the files change, a new handler
/// takes the next requests, so every connection opened after a rotation uses the new certificate and trust; requests
/// in flight finish on the connections they have, and the retired handler is disposed once it can no longer hold one.
/// </summary>
internal sealed class PeerHttp : IDisposable
{
    /// <summary>A retired handler is disposed after this long: longer than any request (long-poll wait plus deadline).</summary>
    private static readonly TimeSpan RetireAfter = TimeSpan.FromMinutes(3);

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly CertificateReloader? _tls;
    private readonly List<(HttpClient Client, long RetiredAt)> _retired = [];
    private HttpClient _client;

    public PeerHttp(CertificateReloader? tls, TimeProvider time)
    {
        _tls = tls;
        _time = time;
        _client = Create(tls?.Current);
        if (tls is not null)
        {
            tls.Changed += Swap;
        }
    }

    public HttpClient Client => Volatile.Read(ref _client);

    public void Dispose()
    {
        if (_tls is not null)
        {
            _tls.Changed -= Swap;
        }

        lock (_gate)
        {
            _client.Dispose();
            foreach (var (client, _) in _retired)
            {
                client.Dispose();
            }

            _retired.Clear();
        }
    }

    /// <summary>A client for <paramref name="material"/> (plain HTTP when null), as peers are asked.</summary>
    public static HttpClient Create(TlsMaterial? material)
    {
        var handler = new SocketsHttpHandler
        {
            // Peer answers are decompressed by PeerClient itself, under byte limits on both sides of the decompressor.
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(3),
            ConnectCallback = PeerConnector.ConnectAsync,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        };
        if (material is not null)
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificateContext = material.ServerContext,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,

                // The CA bundle alone decides (not the system store, not the host name): see TlsMaterial.
                RemoteCertificateValidationCallback = (_, certificate, chain, _) => material.Trusts(certificate, chain, TlsMaterial.ServerAuth),
            };
        }

        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    private void Swap(TlsMaterial material)
    {
        var next = Create(material);
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            _retired.Add((Interlocked.Exchange(ref _client, next), now));
            foreach (var old in _retired.Where(r => _time.GetElapsedTime(r.RetiredAt) > RetireAfter).ToList())
            {
                old.Client.Dispose();
                _retired.Remove(old);
            }
        }
    }
}
