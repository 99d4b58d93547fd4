using System.Text;

namespace K8sReplication.Operator.Pki;

/// <summary>
/// Pure planner of a mesh's certificates. Given the two Secrets as stored (the authority Secret, which only the
/// operator reads, and the member Secret every member mounts: <c>ca.crt</c> plus <c>POD.crt</c>/<c>POD.key</c> per
/// member), the members and what their sidecars report having loaded, it returns the Secrets' next contents.
/// <para>
/// The authority is rotated in three observed steps so no member ever rejects another: a new authority is first only
/// added to the trust bundle; once every member reports trusting it, it starts signing and all member certificates are
/// reissued under it, the old one still trusted; once every member presents its new certificate, the old authority
/// leaves the bundle. A member that does not report (unreachable, or a sidecar too old to say) holds the rotation
/// back, which is safe: the old authority is still valid for a third of its lifetime when the rotation starts.
/// </para>
/// </summary>
internal static class MeshCertificates
{
    public const string BundleKey = "ca.crt";

    public static string CertificateKey(string pod) => pod + ".crt";

    public static string PrivateKeyKey(string pod) => pod + ".key";

    public static MeshCertificatePlan Plan(
        string mesh,
        IReadOnlyDictionary<string, byte[]>? authorityData,
        IReadOnlyDictionary<string, byte[]>? memberData,
        IReadOnlyList<MemberIdentity> members,
        IReadOnlyDictionary<string, MemberTlsObservation> observed,
        DateTimeOffset now,
        PkiOptions options)
    {
        var notes = new List<string>();
        var reason = "Issued";
        MeshAuthority authority;
        if (authorityData is null)
        {
            authority = new MeshAuthority(NewAuthority(mesh, now, options));
            notes.Add("created the certificate authority");
        }
        else if (MeshAuthority.Parse(authorityData, out var error) is { } parsed)
        {
            authority = parsed;
        }
        else
        {
            return new MeshCertificatePlan(
                authorityData, false, memberData ?? new Dictionary<string, byte[]>(), false, [], options.ObservationRetry,
                "InvalidAuthority",
                $"the certificate authority Secret is unusable ({error}); delete it to have a new authority made, which every member then needs to load")
            {
                Blocked = true,
            };
        }

        if (now >= authority.Active.NotAfter)
        {
            // Members already reject each other; nothing is gained by keeping it.
            authority = new MeshAuthority(NewAuthority(mesh, now, options));
            notes.Add("replaced the expired certificate authority");
            reason = "AuthorityExpired";
        }

        if (authority.Previous is { } expired && now >= expired.NotAfter)
        {
            authority = authority with { Previous = null };
        }

        var waitingOn = new List<string>();
        if (authority.Next is { } next)
        {
            var lagging = members.Where(m => !Trusts(observed, m.Pod, next)).Select(m => m.Pod).ToList();
            if (lagging.Count == 0)
            {
                authority = new MeshAuthority(next, Previous: Public(authority.Active));
                notes.Add("the new certificate authority now signs; member certificates are reissued under it");
                reason = "RotatingAuthority";
            }
            else
            {
                waitingOn.Add($"members not yet trusting the new certificate authority: {string.Join(", ", lagging)}");
                reason = "RotatingAuthority";
            }
        }
        else if (authority.Previous is null && now >= authority.Active.RenewAt(options.RenewFraction))
        {
            authority = authority with { Next = NewAuthority(mesh, now, options) };
            notes.Add("started rotating the certificate authority");
            reason = "RotatingAuthority";
            waitingOn.Add("members to trust the new certificate authority");
        }

        var stored = memberData ?? new Dictionary<string, byte[]>();
        var leaves = new Dictionary<string, IssuedCertificate>(StringComparer.Ordinal);
        var issued = new List<string>();
        foreach (var member in members.OrderBy(m => m.Pod, StringComparer.Ordinal))
        {
            var leaf = IssuedCertificate.TryParse(stored, CertificateKey(member.Pod), PrivateKeyKey(member.Pod), out _);
            if (leaf is null || !IsCurrent(leaf, member, authority.Active, now, options))
            {
                leaf = CertificateFactory.IssueMember(
                    authority.Active, member.Pod, member.DnsNames, member.Addresses, now, options.MemberValidity);
                issued.Add(member.Pod);
            }

            leaves[member.Pod] = leaf;
        }

        if (authority.Previous is not null)
        {
            var lagging = members
                .Where(m => issued.Contains(m.Pod)
                    || !observed.TryGetValue(m.Pod, out var seen)
                    || seen.CertificateFingerprint != leaves[m.Pod].Fingerprint)
                .Select(m => m.Pod)
                .ToList();
            if (lagging.Count == 0)
            {
                authority = authority with { Previous = null };
                notes.Add("the previous certificate authority is no longer trusted");
            }
            else
            {
                waitingOn.Add($"members not yet presenting a certificate from the new authority: {string.Join(", ", lagging)}");
                reason = "RotatingAuthority";
            }
        }

        var newAuthorityData = authority.ToSecretData();
        var newMemberData = new Dictionary<string, byte[]>(StringComparer.Ordinal) { [BundleKey] = Encoding.UTF8.GetBytes(authority.Bundle) };
        foreach (var (pod, leaf) in leaves)
        {
            newMemberData[CertificateKey(pod)] = Encoding.UTF8.GetBytes(leaf.CertificatePem);
            newMemberData[PrivateKeyKey(pod)] = Encoding.UTF8.GetBytes(leaf.PrivateKeyPem!);
        }

        if (issued.Count > 0)
        {
            notes.Add($"issued certificates for {string.Join(", ", issued)}");
        }

        var requeue = NextLook(authority, leaves.Values, waitingOn.Count > 0, now, options);
        var message = notes.Count == 0 && waitingOn.Count == 0
            ? $"{members.Count} member certificates current; next renewal in {Describe(requeue)}"
            : string.Join("; ", notes.Concat(waitingOn.Select(w => "waiting for " + w)));
        return new MeshCertificatePlan(
            newAuthorityData, authorityData is null || !SameData(authorityData, newAuthorityData),
            newMemberData, memberData is null || !SameData(memberData, newMemberData),
            issued, requeue, reason, message);
    }

    private static IssuedCertificate NewAuthority(string mesh, DateTimeOffset now, PkiOptions options) =>
        CertificateFactory.CreateAuthority($"{mesh} replication CA {now:yyyy-MM-dd'T'HHmmss'Z'}", now, options.AuthorityValidity);

    private static IssuedCertificate Public(IssuedCertificate certificate) => IssuedCertificate.FromPem(certificate.CertificatePem, null);

    private static bool Trusts(IReadOnlyDictionary<string, MemberTlsObservation> observed, string pod, IssuedCertificate authority) =>
        observed.TryGetValue(pod, out var seen) && seen.TrustedAuthorities.Contains(authority.Fingerprint);

    /// <summary>A member's stored certificate is kept while the signing authority issued it, it is not due, and it names exactly the member's current names.</summary>
    private static bool IsCurrent(IssuedCertificate leaf, MemberIdentity member, IssuedCertificate signer, DateTimeOffset now, PkiOptions options)
    {
        if (now >= leaf.RenewAt(options.RenewFraction) || !leaf.IsIssuedBy(signer, now))
        {
            return false;
        }

        var (dnsNames, addresses) = CertificateFactory.SubjectAlternativeNames(leaf);
        return dnsNames.SetEquals(member.DnsNames) && addresses.SetEquals(member.Addresses.Select(a => a.ToString()));
    }

    private static TimeSpan NextLook(MeshAuthority authority, IEnumerable<IssuedCertificate> leaves, bool waiting, DateTimeOffset now, PkiOptions options)
    {
        var due = authority.Next is null && authority.Previous is null ? authority.Active.RenewAt(options.RenewFraction) : DateTimeOffset.MaxValue;
        foreach (var leaf in leaves)
        {
            var at = leaf.RenewAt(options.RenewFraction);
            due = at < due ? at : due;
        }

        var after = due == DateTimeOffset.MaxValue ? options.ObservationRetry : due - now;
        if (waiting && options.ObservationRetry < after)
        {
            after = options.ObservationRetry;
        }

        return after < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : after;
    }

    private static bool SameData(IReadOnlyDictionary<string, byte[]> stored, Dictionary<string, byte[]> desired) =>
        stored.Count == desired.Count
        && desired.All(kv => stored.TryGetValue(kv.Key, out var value) && value.AsSpan().SequenceEqual(kv.Value));

    private static string Describe(TimeSpan span) =>
        span >= TimeSpan.FromDays(1) ? $"{span.TotalDays:0}d" : span >= TimeSpan.FromHours(1) ? $"{span.TotalHours:0}h" : $"{span.TotalMinutes:0}m";
}
