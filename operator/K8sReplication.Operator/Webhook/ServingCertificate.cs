using System.Security.Cryptography.X509Certificates;

namespace K8sReplication.Operator.Webhook;

/// <summary>
/// The certificate the webhook presents, swapped by <see cref="WebhookCertificateKeeper"/> and read by Kestrel at every
/// TLS handshake, so a renewal takes effect without a restart. Null until the first one is loaded (handshakes fail).
/// </summary>
internal sealed class ServingCertificate
{
    private volatile X509Certificate2? _current;
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public X509Certificate2? Current => _current;

    /// <summary>Completes once a certificate is loaded.</summary>
    public Task Loaded => _loaded.Task;

    public void Set(X509Certificate2 certificate)
    {
        _current = certificate;
        _loaded.TrySetResult();
    }
}
