using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace K8sReplication.TestKit.Tls;

/// <summary>
/// A certificate authority made in the test with <see cref="CertificateRequest"/> (ECDSA P-256), issuing leaf
/// certificates for 127.0.0.1 / localhost with server and client authentication, valid or expired as asked.
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private static long s_serial = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;

    private TestCertificateAuthority(X509Certificate2 certificate) => Certificate = certificate;

    /// <summary>The CA certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    public string CertificatePem => Certificate.ExportCertificatePem();

    /// <summary>A CA valid from ten days ago for a year (so it can sign certificates that expired yesterday).</summary>
    public static TestCertificateAuthority Create(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        return new TestCertificateAuthority(request.CreateSelfSigned(now.AddDays(-10), now.AddDays(365)));
    }

    /// <summary>A leaf valid from an hour ago for <paramref name="validFor"/> (default 30 days).</summary>
    public X509Certificate2 Issue(string name, TimeSpan? validFor = null, bool serverAuth = true, bool clientAuth = true) =>
        Issue(name, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow + (validFor ?? TimeSpan.FromDays(30)), serverAuth, clientAuth);

    /// <summary>A leaf that expired yesterday.</summary>
    public X509Certificate2 IssueExpired(string name) => Issue(name, DateTimeOffset.UtcNow.AddDays(-5), DateTimeOffset.UtcNow.AddDays(-1), true, true);

    public X509Certificate2 Issue(string name, DateTimeOffset notBefore, DateTimeOffset notAfter, bool serverAuth, bool clientAuth)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        var usages = new OidCollection();
        if (serverAuth)
        {
            usages.Add(new Oid("1.3.6.1.5.5.7.3.1"));
        }

        if (clientAuth)
        {
            usages.Add(new Oid("1.3.6.1.5.5.7.3.2"));
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        names.AddDnsName(name);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        var serial = BitConverter.GetBytes(Interlocked.Increment(ref s_serial));
        using var issued = request.Create(Certificate, notBefore, notAfter, serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>
    /// A sidecar's TLS flags for member <paramref name="name"/>: a Secret volume under <paramref name="folder"/>
    /// (<c>tls/</c>) holding a leaf this CA issued and this CA as the bundle.
    /// </summary>
    public IReadOnlyList<string> SidecarFlags(string folder, string name)
    {
        var volume = new SecretVolume(Path.Combine(folder, "tls"));
        using var leaf = Issue(name);
        volume.Write(leaf, this);
        return volume.Flags;
    }

    public void Dispose() => Certificate.Dispose();

    /// <summary>The certificate's PEM.</summary>
    public static string CertificatePemOf(X509Certificate2 certificate) => certificate.ExportCertificatePem();

    /// <summary>The certificate's private key as PKCS#8 PEM.</summary>
    public static string KeyPemOf(X509Certificate2 certificate) =>
        (certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("no ECDSA private key")).ExportPkcs8PrivateKeyPem();
}
