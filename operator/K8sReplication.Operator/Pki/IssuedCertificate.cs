using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace K8sReplication.Operator.Pki;

/// <summary>
/// A certificate and, when this side holds it, its private key, both PEM. The parsed certificate is kept so every
/// decision (expiry, issuer, fingerprint) reads one object.
/// </summary>
internal sealed class IssuedCertificate
{
    private IssuedCertificate(string certificatePem, string? privateKeyPem, X509Certificate2 certificate)
    {
        CertificatePem = certificatePem;
        PrivateKeyPem = privateKeyPem;
        Certificate = certificate;
        Fingerprint = Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));
    }

    public string CertificatePem { get; }

    public string? PrivateKeyPem { get; }

    public X509Certificate2 Certificate { get; }

    /// <summary>SHA-256 of the DER certificate, lower-case hex: how sidecars report what they loaded.</summary>
    public string Fingerprint { get; }

    public DateTimeOffset NotBefore => new(Certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);

    public DateTimeOffset NotAfter => new(Certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);

    /// <summary>
    /// The moment this certificate should be replaced: the given fraction of its lifetime after it was issued. The
    /// operator's certificates start <see cref="CertificateFactory.Backdate"/> before they are issued, which does not
    /// count: with a short lifetime (tests) it would make a certificate due the moment it is issued.
    /// </summary>
    public DateTimeOffset RenewAt(double renewFraction)
    {
        var issued = NotBefore + CertificateFactory.Backdate < NotAfter ? NotBefore + CertificateFactory.Backdate : NotBefore;
        return issued + TimeSpan.FromTicks((long)((NotAfter - issued).Ticks * renewFraction));
    }

    public static IssuedCertificate FromPem(string certificatePem, string? privateKeyPem)
    {
        var certificate = privateKeyPem is null
            ? X509Certificate2.CreateFromPem(certificatePem)
            : X509Certificate2.CreateFromPem(certificatePem, privateKeyPem);
        return new IssuedCertificate(certificatePem, privateKeyPem, certificate);
    }

    /// <summary>
    /// Parses the PEM pair stored under <paramref name="certificateKey"/> and <paramref name="privateKeyKey"/>, or
    /// returns null with the reason naming the key at fault.
    /// </summary>
    public static IssuedCertificate? TryParse(
        IReadOnlyDictionary<string, byte[]> data, string certificateKey, string? privateKeyKey, out string? error)
    {
        error = null;
        if (!data.TryGetValue(certificateKey, out var certificateBytes))
        {
            error = $"key '{certificateKey}' is missing";
            return null;
        }

        string? keyPem = null;
        if (privateKeyKey is not null)
        {
            if (!data.TryGetValue(privateKeyKey, out var keyBytes))
            {
                error = $"key '{privateKeyKey}' is missing";
                return null;
            }

            keyPem = System.Text.Encoding.UTF8.GetString(keyBytes);
        }

        try
        {
            return FromPem(System.Text.Encoding.UTF8.GetString(certificateBytes), keyPem);
        }
        catch (CryptographicException e)
        {
            error = privateKeyKey is null
                ? $"key '{certificateKey}' holds no PEM certificate: {e.Message}"
                : $"keys '{certificateKey}' and '{privateKeyKey}' hold no matching PEM certificate and private key: {e.Message}";
            return null;
        }
        catch (ArgumentException e)
        {
            error = $"key '{certificateKey}' holds no PEM certificate: {e.Message}";
            return null;
        }
    }

    /// <summary>True when <paramref name="authority"/>'s key signed this certificate and both are valid at <paramref name="now"/>.</summary>
    public bool IsIssuedBy(IssuedCertificate authority, DateTimeOffset now)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority.Certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        return chain.Build(Certificate)
            && chain.ChainElements.Count == 2
            && chain.ChainElements[1].Certificate.RawDataMemory.Span.SequenceEqual(authority.Certificate.RawDataMemory.Span);
    }
}
