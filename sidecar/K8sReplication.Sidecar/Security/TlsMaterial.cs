using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace K8sReplication.Sidecar.Security;

/// <summary>
/// One consistent reading of the three TLS files: this member's certificate with its key (and any intermediates
/// after it in the file), and the certificate authorities it trusts. Immutable; a rotation loads a new instance and
/// swaps it in whole, so a handshake never sees a certificate of one reading with the trust of another.
/// </summary>
/// <remarks>
/// Trust is the CA bundle alone (a custom root store, never the system's), and no host name is checked: a certificate
/// issued by the mesh's CA is what makes a member, and which member it is the site binding establishes. Peer URLs are
/// pod IPs that change with every pod, so a host name check would tie certificates to addresses that are not known
/// when they are issued, and would add nothing the CA does not already decide.
/// </remarks>
internal sealed class TlsMaterial : IDisposable
{
    /// <summary>id-kp-serverAuth: what a peer's certificate must allow when it serves this member.</summary>
    public static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");

    /// <summary>id-kp-clientAuth: what a client's certificate must allow when it connects to this member.</summary>
    public static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    private TlsMaterial(X509Certificate2 certificate, X509Certificate2Collection intermediates, X509Certificate2Collection authorities, byte[] digest)
    {
        Certificate = certificate;
        Intermediates = intermediates;
        Authorities = authorities;
        Digest = digest;
        ServerContext = SslStreamCertificateContext.Create(certificate, intermediates, offline: true);
    }

    /// <summary>This member's certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Certificates after the first in the certificate file (sent along in handshakes).</summary>
    public X509Certificate2Collection Intermediates { get; }

    /// <summary>The trusted CAs: a certificate chaining to any of them is accepted (two during a CA rotation).</summary>
    public X509Certificate2Collection Authorities { get; }

    /// <summary>The server side's certificate and chain, built once per reading.</summary>
    public SslStreamCertificateContext ServerContext { get; }

    /// <summary>SHA-256 over the three files' bytes: a reading with the same digest is the same material.</summary>
    public byte[] Digest { get; }

    public DateTimeOffset NotAfter => new(Certificate.NotAfter.ToUniversalTime());

    /// <summary>Reads and checks the three files; throws <see cref="TlsMaterialException"/> naming the file at fault.</summary>
    public static TlsMaterial Load(string certFile, string keyFile, string caFile)
    {
        var certBytes = Read(TlsPart.Certificate, certFile);
        var keyBytes = Read(TlsPart.Key, keyFile);
        var caBytes = Read(TlsPart.Authorities, caFile);
        var chain = Certificates(TlsPart.Certificate, certFile, certBytes);
        var authorities = Certificates(TlsPart.Authorities, caFile, caBytes);
        var leaf = chain[0];
        X509Certificate2 certificate;
        try
        {
            certificate = WithKey(leaf, keyFile, System.Text.Encoding.ASCII.GetString(keyBytes));
        }
        finally
        {
            leaf.Dispose();
        }

        chain.RemoveAt(0);
        return new TlsMaterial(certificate, chain, authorities, DigestOf(certBytes, keyBytes, caBytes));
    }

    /// <summary>SHA-256 over the three files as they are now; null when one cannot be read (the caller keeps what it has).</summary>
    public static byte[]? CurrentDigest(string certFile, string keyFile, string caFile)
    {
        try
        {
            return DigestOf(File.ReadAllBytes(certFile), File.ReadAllBytes(keyFile), File.ReadAllBytes(caFile));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether <paramref name="presented"/> (a peer's or a client's certificate) chains to one of <see cref="Authorities"/>,
    /// is within its validity period now (the chain is built at the current time) and allows <paramref name="purpose"/>. Intermediates the other side sent
    /// with it are used to build the chain; the system's trust store is not.
    /// </summary>
    public bool Trusts(X509Certificate? presented, X509Chain? sentChain, Oid purpose)
    {
        if (presented is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(Authorities);
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        policy.ApplicationPolicy.Add(purpose);
        if (sentChain is not null)
        {
            foreach (var element in sentChain.ChainElements)
            {
                policy.ExtraStore.Add(element.Certificate);
            }
        }

        var certificate = presented as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        try
        {
            return chain.Build(certificate);
        }
        finally
        {
            if (!ReferenceEquals(certificate, presented))
            {
                certificate.Dispose();
            }

            foreach (var element in chain.ChainElements)
            {
                element.Certificate.Dispose();
            }
        }
    }

    public void Dispose()
    {
        Certificate.Dispose();
        foreach (var c in Intermediates)
        {
            c.Dispose();
        }

        foreach (var c in Authorities)
        {
            c.Dispose();
        }
    }

    private static byte[] Read(TlsPart part, string path)
    {
        try
        {
            var bytes = File.ReadAllBytes(path);
            return bytes.Length <= MaxFileBytes ? bytes : throw new TlsMaterialException(part, $"'{path}' is larger than {MaxFileBytes} bytes");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new TlsMaterialException(part, $"'{path}' does not exist", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TlsMaterialException(part, $"cannot read '{path}': {e.Message}", e);
        }
    }

    /// <summary>A TLS file is a few kilobytes; a CA bundle of a hundred CAs stays under this.</summary>
    private const int MaxFileBytes = 1 << 20;

    private static X509Certificate2Collection Certificates(TlsPart part, string path, byte[] bytes)
    {
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPem(System.Text.Encoding.ASCII.GetString(bytes));
        }
        catch (CryptographicException e)
        {
            throw new TlsMaterialException(part, $"'{path}' holds a PEM certificate that cannot be read: {e.Message}", e);
        }

        return collection.Count > 0
            ? collection
            : throw new TlsMaterialException(part, $"'{path}' holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }

    private static X509Certificate2 WithKey(X509Certificate2 leaf, string keyFile, string keyPem)
    {
        try
        {
            using var pair = leaf.GetKeyAlgorithm() switch
            {
                "1.2.840.10045.2.1" => CombineEcdsa(leaf, keyPem),
                _ => CombineRsa(leaf, keyPem),
            };

            // An ephemeral key cannot be used by every TLS stack: a PKCS#12 round trip gives the certificate a
            // key it can always hand to the handshake.
            return X509CertificateLoader.LoadPkcs12(pair.Export(X509ContentType.Pkcs12), null);
        }
        catch (TlsMaterialException)
        {
            throw;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new TlsMaterialException(TlsPart.Key, $"'{keyFile}' holds no private key of the certificate's type (PEM PKCS#8, PKCS#1 or SEC1): {e.Message}", e);
        }

        X509Certificate2 CombineRsa(X509Certificate2 certificate, string pem)
        {
            using var key = RSA.Create();
            key.ImportFromPem(pem);
            using var expected = certificate.GetRSAPublicKey() ?? throw Mismatch();
            if (!expected.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
            {
                throw Mismatch();
            }

            return certificate.CopyWithPrivateKey(key);
        }

        X509Certificate2 CombineEcdsa(X509Certificate2 certificate, string pem)
        {
            using var key = ECDsa.Create();
            key.ImportFromPem(pem);
            using var expected = certificate.GetECDsaPublicKey() ?? throw Mismatch();
            if (!expected.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
            {
                throw Mismatch();
            }

            return certificate.CopyWithPrivateKey(key);
        }

        TlsMaterialException Mismatch() =>
            new(TlsPart.Key, $"'{keyFile}' is not the private key of the certificate (its public key differs from the certificate's)");
    }

    private static byte[] DigestOf(byte[] cert, byte[] key, byte[] ca)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var part in (ReadOnlySpan<byte[]>)[cert, key, ca])
        {
            hash.AppendData(BitConverter.GetBytes(part.Length));
            hash.AppendData(part);
        }

        return hash.GetHashAndReset();
    }
}
