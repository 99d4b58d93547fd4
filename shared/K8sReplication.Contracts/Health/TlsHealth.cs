namespace K8sReplication.Contracts.Health;

/// <summary>
/// The TLS material a sidecar has in force: what it presents and whom it trusts. Fingerprints are the SHA-256 of the
/// DER certificate in lower-case hex, so the operator can tell which of the certificates it issued a member has loaded.
/// </summary>
public sealed record TlsHealth
{
    /// <summary>Fingerprint of the certificate this member presents.</summary>
    public string CertificateFingerprint { get; init; } = "";

    /// <summary>When that certificate expires.</summary>
    public DateTimeOffset CertificateNotAfter { get; init; }

    /// <summary>Fingerprints of every certificate authority in the member's CA bundle.</summary>
    public IReadOnlyList<string> TrustedAuthorities { get; init; } = [];
}
