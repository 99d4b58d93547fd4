namespace K8sReplication.Operator.Pki;

/// <summary>
/// What a member's sidecar reports it has loaded: the fingerprint of the certificate it presents and of every
/// authority it trusts (SHA-256 of the DER, lower-case hex).
/// </summary>
internal sealed record MemberTlsObservation(string? CertificateFingerprint, IReadOnlyCollection<string> TrustedAuthorities);
