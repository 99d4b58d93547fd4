using System.Security.Cryptography.X509Certificates;
using System.Text;
using K8sReplication.Operator.Pki;

namespace K8sReplication.Operator.Webhook;

/// <summary>
/// Pure planner of the webhook's own certificate authority and serving certificate, kept in one Secret
/// (<c>ca.crt</c>/<c>ca.key</c>, during a rotation <c>next-ca.*</c> or <c>previous-ca.crt</c>, and
/// <c>tls.crt</c>/<c>tls.key</c>). The API server trusts whatever the webhook configuration's caBundle holds, so the
/// authority is rotated in observed steps: a new authority first joins the bundle; once the bundle in the cluster
/// holds it, it signs a new serving certificate and the old one stays in the bundle until every replica has had time
/// to load the new serving certificate. A Secret that cannot be parsed is replaced: only this operator uses it, and a
/// webhook that cannot present a trusted certificate fails anyway.
/// </summary>
internal static class WebhookCertificates
{
    public const string CertificateKey = "tls.crt";
    public const string PrivateKeyKey = "tls.key";

    /// <summary>How long the previous authority stays trusted after a new serving certificate was issued: several re-reads of every replica.</summary>
    public static readonly TimeSpan PreviousAuthorityGrace = TimeSpan.FromMinutes(10);

    /// <summary>How soon to look again while the bundle in the cluster does not yet hold a new authority.</summary>
    public static readonly TimeSpan RotationRetry = TimeSpan.FromSeconds(5);

    public static WebhookCertificatePlan Plan(
        IReadOnlyDictionary<string, byte[]>? data, IReadOnlyList<string> dnsNames, string? observedBundle, DateTimeOffset now, PkiOptions options)
    {
        var notes = new List<string>();
        var authority = data is null ? null : MeshAuthority.Parse(data, out _);
        if (authority is null || now >= authority.Active.NotAfter)
        {
            authority = new MeshAuthority(NewAuthority(now, options));
            notes.Add(data is null ? "created the webhook certificate authority" : "replaced the webhook certificate authority (unusable or expired)");
        }

        if (authority.Previous is { } old && now >= old.NotAfter)
        {
            authority = authority with { Previous = null };
        }

        var serving = data is null ? null : IssuedCertificate.TryParse(data, CertificateKey, PrivateKeyKey, out _);
        if (authority.Next is { } next && BundleHolds(observedBundle, next))
        {
            authority = new MeshAuthority(next, Previous: IssuedCertificate.FromPem(authority.Active.CertificatePem, null));
            serving = null;
            notes.Add("the new webhook certificate authority now signs the serving certificate");
        }
        else if (authority.Next is null && authority.Previous is null && now >= authority.Active.RenewAt(options.RenewFraction))
        {
            authority = authority with { Next = NewAuthority(now, options) };
            notes.Add("started rotating the webhook certificate authority");
        }

        if (serving is null || !IsCurrent(serving, authority.Active, dnsNames, now, options))
        {
            serving = CertificateFactory.IssueMember(authority.Active, dnsNames[0], [.. dnsNames], [], now, options.MemberValidity);
            notes.Add("issued the webhook serving certificate");
        }

        var issuedAt = serving.NotBefore + CertificateFactory.Backdate;
        if (authority.Previous is not null && now >= issuedAt + PreviousAuthorityGrace)
        {
            authority = authority with { Previous = null };
            notes.Add("the previous webhook certificate authority is no longer trusted");
        }

        var desired = authority.ToSecretData();
        desired[CertificateKey] = Encoding.UTF8.GetBytes(serving.CertificatePem);
        desired[PrivateKeyKey] = Encoding.UTF8.GetBytes(serving.PrivateKeyPem!);
        var changed = data is null || data.Count != desired.Count
            || desired.Any(kv => !data.TryGetValue(kv.Key, out var v) || !v.AsSpan().SequenceEqual(kv.Value));

        var due = serving.RenewAt(options.RenewFraction);
        if (authority.Next is null && authority.Previous is null && authority.Active.RenewAt(options.RenewFraction) < due)
        {
            due = authority.Active.RenewAt(options.RenewFraction);
        }

        if (authority.Previous is not null && issuedAt + PreviousAuthorityGrace < due)
        {
            due = issuedAt + PreviousAuthorityGrace;
        }

        var after = authority.Next is not null ? RotationRetry : due - now;
        return new WebhookCertificatePlan(desired, changed, authority.Bundle, after < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : after, notes);
    }

    /// <summary>The serving certificate in a Secret's data, with its key.</summary>
    public static IssuedCertificate? Serving(IReadOnlyDictionary<string, byte[]> data) =>
        IssuedCertificate.TryParse(data, CertificateKey, PrivateKeyKey, out _);

    /// <summary>True when the PEM bundle holds <paramref name="authority"/> (same DER bytes).</summary>
    public static bool BundleHolds(string? bundle, IssuedCertificate authority)
    {
        if (string.IsNullOrWhiteSpace(bundle))
        {
            return false;
        }

        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(bundle);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return false;
        }

        try
        {
            return certificates.Any(c => c.RawDataMemory.Span.SequenceEqual(authority.Certificate.RawDataMemory.Span));
        }
        finally
        {
            foreach (var c in certificates)
            {
                c.Dispose();
            }
        }
    }

    private static bool IsCurrent(IssuedCertificate serving, IssuedCertificate signer, IReadOnlyList<string> dnsNames, DateTimeOffset now, PkiOptions options) =>
        now < serving.RenewAt(options.RenewFraction)
        && serving.IsIssuedBy(signer, now)
        && CertificateFactory.SubjectAlternativeNames(serving).DnsNames.SetEquals(dnsNames);

    private static IssuedCertificate NewAuthority(DateTimeOffset now, PkiOptions options) =>
        CertificateFactory.CreateAuthority($"k8srepl webhook CA {now:yyyy-MM-dd'T'HHmmss'Z'}", now, options.AuthorityValidity);
}
