using System.Text;

namespace K8sReplication.Operator.Pki;

/// <summary>
/// A mesh's certificate authorities as kept in the operator's authority Secret. <see cref="Active"/> signs member
/// certificates. During a rotation a second authority is trusted beside it: first the <see cref="Next"/> one (trusted,
/// not yet signing), then the <see cref="Previous"/> one (still trusted, no longer signing), so at every step each
/// member trusts whatever certificate any other member may present.
/// </summary>
internal sealed record MeshAuthority(IssuedCertificate Active, IssuedCertificate? Next = null, IssuedCertificate? Previous = null)
{
    public const string CertificateKey = "ca.crt";
    public const string PrivateKeyKey = "ca.key";
    public const string NextCertificateKey = "next-ca.crt";
    public const string NextPrivateKeyKey = "next-ca.key";
    public const string PreviousCertificateKey = "previous-ca.crt";

    /// <summary>Every authority a member must trust now, the signing one first.</summary>
    public IEnumerable<IssuedCertificate> Trusted
    {
        get
        {
            yield return Active;
            if (Next is not null)
            {
                yield return Next;
            }

            if (Previous is not null)
            {
                yield return Previous;
            }
        }
    }

    /// <summary>The PEM bundle members verify each other against.</summary>
    public string Bundle => string.Concat(Trusted.Select(c => c.CertificatePem.TrimEnd() + "\n"));

    public static MeshAuthority? Parse(IReadOnlyDictionary<string, byte[]> data, out string? error)
    {
        var active = IssuedCertificate.TryParse(data, CertificateKey, PrivateKeyKey, out error);
        if (active is null)
        {
            return null;
        }

        IssuedCertificate? next = null;
        if (data.ContainsKey(NextCertificateKey))
        {
            next = IssuedCertificate.TryParse(data, NextCertificateKey, NextPrivateKeyKey, out error);
            if (next is null)
            {
                return null;
            }
        }

        IssuedCertificate? previous = null;
        if (data.ContainsKey(PreviousCertificateKey))
        {
            previous = IssuedCertificate.TryParse(data, PreviousCertificateKey, null, out error);
            if (previous is null)
            {
                return null;
            }
        }

        return new MeshAuthority(active, next, previous);
    }

    public Dictionary<string, byte[]> ToSecretData()
    {
        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [CertificateKey] = Encoding.UTF8.GetBytes(Active.CertificatePem),
            [PrivateKeyKey] = Encoding.UTF8.GetBytes(Active.PrivateKeyPem!),
        };
        if (Next is not null)
        {
            data[NextCertificateKey] = Encoding.UTF8.GetBytes(Next.CertificatePem);
            data[NextPrivateKeyKey] = Encoding.UTF8.GetBytes(Next.PrivateKeyPem!);
        }

        if (Previous is not null)
        {
            data[PreviousCertificateKey] = Encoding.UTF8.GetBytes(Previous.CertificatePem);
        }

        return data;
    }
}
