namespace K8sReplication.Contracts.Config;

/// <summary>
/// Mutual TLS on the replication port: this member's certificate and key, and the certificate authorities whose
/// certificates it accepts from peers and clients. PEM files, typically a mounted Secret (<c>tls.crt</c>,
/// <c>tls.key</c>, <c>ca.crt</c>); all three are given or none. Sidecar-local: a push cannot change them. The files'
/// contents are re-read when they change.
/// </summary>
public sealed record TlsConfig
{
    /// <summary>This member's certificate (PEM; the leaf first, intermediates after it).</summary>
    public string? CertFile { get; init; }

    /// <summary>The private key of <see cref="CertFile"/> (PEM: PKCS#8, PKCS#1 or SEC1).</summary>
    public string? KeyFile { get; init; }

    /// <summary>The trusted certificate authorities (PEM bundle; during a CA rotation it holds the old and the new CA).</summary>
    public string? CaFile { get; init; }
}
