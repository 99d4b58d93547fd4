using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace K8sReplication.Operator.Pki;

/// <summary>
/// Makes the mesh's certificates: a self-signed authority and member certificates it signs. Keys are ECDSA P-256
/// (small, fast handshakes, accepted everywhere TLS 1.2+ is). Validity starts five minutes in the past so a member
/// whose clock runs a little behind the operator's does not reject a fresh certificate as not yet valid.
/// </summary>
internal static class CertificateFactory
{
    internal static readonly TimeSpan Backdate = TimeSpan.FromMinutes(5);

    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    public static IssuedCertificate CreateAuthority(string commonName, DateTimeOffset now, TimeSpan validity)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(Subject(commonName), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(X509BasicConstraintsExtension.CreateForCertificateAuthority(pathLengthConstraint: 0));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        using var certificate = request.CreateSelfSigned(now - Backdate, now + validity);
        return IssuedCertificate.FromPem(certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>
    /// Issues a certificate usable both to serve and to connect (members are each other's servers and clients).
    /// Its validity never outlasts the authority's.
    /// </summary>
    public static IssuedCertificate IssueMember(
        IssuedCertificate authority, string commonName, IReadOnlyCollection<string> dnsNames, IReadOnlyCollection<IPAddress> addresses,
        DateTimeOffset now, TimeSpan validity)
    {
        if (authority.PrivateKeyPem is null)
        {
            throw new InvalidOperationException("the authority's private key is needed to issue a certificate");
        }

        using var authorityKey = ECDsa.Create();
        authorityKey.ImportFromPem(authority.PrivateKeyPem);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(Subject(commonName), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(X509BasicConstraintsExtension.CreateForEndEntity());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuth, ClientAuth], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(
            authority.Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var names = new SubjectAlternativeNameBuilder();
        foreach (var dns in dnsNames)
        {
            names.AddDnsName(dns);
        }

        foreach (var address in addresses)
        {
            names.AddIpAddress(address);
        }

        request.CertificateExtensions.Add(names.Build());
        var notAfter = now + validity < authority.NotAfter ? now + validity : authority.NotAfter;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive serial, as RFC 5280 asks
        using var certificate = request.Create(
            authority.Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(authorityKey), now - Backdate, notAfter, serial);
        return IssuedCertificate.FromPem(certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>The DNS names and addresses a certificate was issued for, in a canonical order.</summary>
    public static (SortedSet<string> DnsNames, SortedSet<string> Addresses) SubjectAlternativeNames(IssuedCertificate issued)
    {
        var dnsNames = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        var addresses = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var extension in issued.Certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                dnsNames.UnionWith(san.EnumerateDnsNames());
                addresses.UnionWith(san.EnumerateIPAddresses().Select(a => a.ToString()));
            }
        }

        return (dnsNames, addresses);
    }

    private static X500DistinguishedName Subject(string commonName)
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddOrganizationName("k8srepl");
        builder.AddCommonName(commonName);
        return builder.Build();
    }
}
