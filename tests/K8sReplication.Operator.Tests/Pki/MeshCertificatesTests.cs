using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using K8sReplication.Operator.Pki;

namespace K8sReplication.Operator.Tests.Pki;

public sealed class MeshCertificatesTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly PkiOptions Options = new();

    private static List<MemberIdentity> Members(params string[] pods) =>
        pods.Select((p, i) => new MemberIdentity(p, [p, $"{p}.app.shop.svc"], [IPAddress.Parse($"10.0.0.{i + 1}")])).ToList();

    private static readonly Dictionary<string, MemberTlsObservation> NoneSeen = [];

    [Fact]
    public void FirstPlan_CreatesAuthorityAndACertificatePerMember()
    {
        var plan = MeshCertificates.Plan("shop", null, null, Members("app-0", "app-1"), NoneSeen, Start, Options);

        Assert.True(plan.AuthorityChanged);
        Assert.True(plan.MembersChanged);
        Assert.Equal(["app-0", "app-1"], plan.Issued);
        Assert.Equal(["app-0.crt", "app-0.key", "app-1.crt", "app-1.key", "ca.crt"], plan.MemberData.Keys.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(plan.MemberData.Keys, k => k.StartsWith("ca.key", StringComparison.Ordinal));
        var leaf = Leaf(plan, "app-0");
        Assert.True(VerifiesAgainst(leaf, Bundle(plan), Start));
        Assert.Equal(Start + Options.MemberValidity, new DateTimeOffset(leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero));
        var (dns, ips) = CertificateFactory.SubjectAlternativeNames(IssuedCertificate.FromPem(leaf.ExportCertificatePem(), null));
        Assert.Equal(["app-0", "app-0.app.shop.svc"], dns);
        Assert.Equal(["10.0.0.1"], ips);
        var usages = leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value);
        Assert.Equal(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"], usages);
    }

    [Fact]
    public void SamePlanAgain_ChangesNothingAndWakesAtRenewal()
    {
        var members = Members("app-0", "app-1");
        var first = MeshCertificates.Plan("shop", null, null, members, NoneSeen, Start, Options);

        var again = MeshCertificates.Plan("shop", first.AuthorityData, first.MemberData, members, NoneSeen, Start.AddHours(1), Options);

        Assert.False(again.AuthorityChanged);
        Assert.False(again.MembersChanged);
        Assert.Empty(again.Issued);
        Assert.False(again.Blocked);
        var renewAt = Start + Options.MemberValidity * (2.0 / 3.0);
        Assert.InRange(again.RequeueAfter, renewAt - Start.AddHours(1) - TimeSpan.FromSeconds(2), renewAt - Start.AddHours(1) + TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void MemberCertificate_IsRenewedAtTwoThirdsOfItsLife_UnderTheSameAuthority()
    {
        var members = Members("app-0");
        var first = MeshCertificates.Plan("shop", null, null, members, NoneSeen, Start, Options);

        var later = Start + Options.MemberValidity * 0.7;
        var renewed = MeshCertificates.Plan("shop", first.AuthorityData, first.MemberData, members, NoneSeen, later, Options);

        Assert.Equal(["app-0"], renewed.Issued);
        Assert.False(renewed.AuthorityChanged);
        Assert.NotEqual(first.MemberData["app-0.crt"], renewed.MemberData["app-0.crt"]);
        Assert.True(VerifiesAgainst(Leaf(renewed, "app-0"), Bundle(first), later));
    }

    [Fact]
    public void ShortLivedCertificate_IsNotDueWhenIssued()
    {
        var minute = Options with { MemberValidity = TimeSpan.FromMinutes(1), AuthorityValidity = TimeSpan.FromMinutes(10) };
        var first = MeshCertificates.Plan("shop", null, null, Members("app-0"), NoneSeen, Start, minute);

        var soon = MeshCertificates.Plan("shop", first.AuthorityData, first.MemberData, Members("app-0"), NoneSeen, Start.AddSeconds(30), minute);
        var due = MeshCertificates.Plan("shop", first.AuthorityData, first.MemberData, Members("app-0"), NoneSeen, Start.AddSeconds(41), minute);

        Assert.Empty(soon.Issued);
        Assert.InRange(soon.RequeueAfter, TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(11));
        Assert.Equal(["app-0"], due.Issued);
    }

    [Fact]
    public void MemberWithANewAddress_AloneGetsANewCertificate()
    {
        var first = MeshCertificates.Plan("shop", null, null, Members("app-0", "app-1"), NoneSeen, Start, Options);
        var moved = Members("app-0", "app-1");
        moved[1] = moved[1] with { Addresses = [IPAddress.Parse("10.0.9.9")] };

        var plan = MeshCertificates.Plan("shop", first.AuthorityData, first.MemberData, moved, NoneSeen, Start.AddMinutes(5), Options);

        Assert.Equal(["app-1"], plan.Issued);
        Assert.Equal(first.MemberData["app-0.crt"], plan.MemberData["app-0.crt"]);
    }

    [Fact]
    public void MemberThatLeft_LosesItsKeys()
    {
        var first = MeshCertificates.Plan("shop", null, null, Members("app-0", "app-1"), NoneSeen, Start, Options);

        var plan = MeshCertificates.Plan("shop", first.AuthorityData, first.MemberData, Members("app-0"), NoneSeen, Start.AddMinutes(5), Options);

        Assert.True(plan.MembersChanged);
        Assert.Equal(["app-0.crt", "app-0.key", "ca.crt"], plan.MemberData.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void AuthorityRotation_GoesThroughObservedSteps_AndNoMemberEverRejectsAnother()
    {
        var members = Members("app-0", "app-1", "app-2");
        var state = MeshCertificates.Plan("shop", null, null, members, NoneSeen, Start, Options);
        var now = MeshAuthority.Parse(state.AuthorityData, out _)!.Active.RenewAt(Options.RenewFraction) + TimeSpan.FromMinutes(1);
        // Member certificates renewed shortly before, as they are every two months.
        state = MeshCertificates.Plan("shop", state.AuthorityData, state.MemberData, members, NoneSeen, now - TimeSpan.FromHours(1), Options);
        Assert.Equal(3, state.Issued.Count);
        Assert.False(state.AuthorityChanged);

        // Step 1: a second authority joins the bundle; nobody is told yet, so nothing else moves.
        var introduced = Step(ref state, members, Seen(state, members, trustNewBundle: false), now);
        Assert.Equal("RotatingAuthority", introduced.Reason);
        Assert.Equal(2, CertificatesIn(Bundle(introduced)).Count);
        Assert.Contains("waiting for", introduced.Message, StringComparison.Ordinal);
        Assert.True(introduced.RequeueAfter <= Options.ObservationRetry);

        // Members that have not loaded the new bundle hold the rotation at this step.
        var held = Step(ref state, members, Seen(state, members, trustNewBundle: false, except: "app-2"), now.AddMinutes(1));
        Assert.False(held.AuthorityChanged);
        Assert.Contains("app-2", held.Message, StringComparison.Ordinal);

        // Step 2: every member trusts the new authority, so it starts signing and every certificate is reissued.
        var promoted = Step(ref state, members, Seen(state, members, trustNewBundle: true), now.AddMinutes(2));
        Assert.Equal(["app-0", "app-1", "app-2"], promoted.Issued);
        Assert.Equal(2, CertificatesIn(Bundle(promoted)).Count);

        // Step 3: every member presents its new certificate, so the old authority leaves the bundle.
        var finished = Step(ref state, members, Seen(state, members, trustNewBundle: true), now.AddMinutes(3));
        Assert.Single(CertificatesIn(Bundle(finished)));
        Assert.Empty(finished.Issued);

        var settled = Step(ref state, members, Seen(state, members, trustNewBundle: true), now.AddMinutes(4));
        Assert.False(settled.AuthorityChanged);
        Assert.False(settled.MembersChanged);
        Assert.Equal("Issued", settled.Reason);
    }

    [Fact]
    public void UnusableAuthoritySecret_BlocksAndChangesNothing_NamingTheKey()
    {
        var first = MeshCertificates.Plan("shop", null, null, Members("app-0"), NoneSeen, Start, Options);
        var broken = first.AuthorityData.ToDictionary(kv => kv.Key, kv => kv.Value);
        broken["ca.key"] = Encoding.UTF8.GetBytes("not a key");

        var plan = MeshCertificates.Plan("shop", broken, first.MemberData, Members("app-0", "app-1"), NoneSeen, Start, Options);

        Assert.True(plan.Blocked);
        Assert.False(plan.AuthorityChanged);
        Assert.False(plan.MembersChanged);
        Assert.Equal("InvalidAuthority", plan.Reason);
        Assert.Contains("'ca.key'", plan.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExpiredAuthority_IsReplaced_AndEveryCertificateReissued()
    {
        var members = Members("app-0");
        var first = MeshCertificates.Plan("shop", null, null, members, NoneSeen, Start, Options);
        var afterExpiry = Start + Options.AuthorityValidity + TimeSpan.FromDays(1);

        var plan = MeshCertificates.Plan("shop", first.AuthorityData, first.MemberData, members, NoneSeen, afterExpiry, Options);

        Assert.Equal("AuthorityExpired", plan.Reason);
        Assert.Equal(["app-0"], plan.Issued);
        Assert.True(VerifiesAgainst(Leaf(plan, "app-0"), Bundle(plan), afterExpiry));
    }

    [Fact]
    public void MemberCertificate_NeverOutlivesItsAuthority()
    {
        var shortAuthority = Options with { AuthorityValidity = TimeSpan.FromDays(200) };
        var members = Members("app-0");
        var first = MeshCertificates.Plan("shop", null, null, members, NoneSeen, Start, shortAuthority);
        var nearEnd = Start + TimeSpan.FromDays(150);
        var seenTrusting = Seen(first, members, trustNewBundle: true);

        var plan = MeshCertificates.Plan("shop", first.AuthorityData, first.MemberData, members, seenTrusting, nearEnd, shortAuthority);

        var authority = MeshAuthority.Parse(plan.AuthorityData, out _)!;
        Assert.True(Leaf(plan, "app-0").NotAfter.ToUniversalTime() <= authority.Active.NotAfter.UtcDateTime);
    }

    [Fact]
    public void Options_NameTheFlagAtFault()
    {
        var errors = new PkiOptions { MemberValidity = TimeSpan.FromSeconds(5), AuthorityValidity = TimeSpan.FromSeconds(6) }.Validate();

        Assert.Contains(errors, e => e.StartsWith("--tls-member-validity:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("--tls-authority-validity:", StringComparison.Ordinal));
        Assert.Empty(new PkiOptions().Validate());
    }

    /// <summary>
    /// Plans the next state and checks the rotation's promise across the step: certificates of either state verify
    /// against bundles of either state, so a member that has loaded one and a peer still on the other agree.
    /// </summary>
    private static MeshCertificatePlan Step(
        ref MeshCertificatePlan state, List<MemberIdentity> members, Dictionary<string, MemberTlsObservation> seen, DateTimeOffset now)
    {
        var next = MeshCertificates.Plan("shop", state.AuthorityData, state.MemberData, members, seen, now, Options);
        foreach (var member in members)
        {
            foreach (var leaf in new[] { Leaf(state, member.Pod), Leaf(next, member.Pod) })
            {
                Assert.True(VerifiesAgainst(leaf, Bundle(state), now), $"{member.Pod}'s certificate is rejected by the earlier bundle");
                Assert.True(VerifiesAgainst(leaf, Bundle(next), now), $"{member.Pod}'s certificate is rejected by the later bundle");
            }
        }

        state = next;
        return next;
    }

    /// <summary>What members report after loading the stored Secret: its certificates, and its bundle when <paramref name="trustNewBundle"/>.</summary>
    private static Dictionary<string, MemberTlsObservation> Seen(
        MeshCertificatePlan state, List<MemberIdentity> members, bool trustNewBundle, string? except = null)
    {
        var authority = MeshAuthority.Parse(state.AuthorityData, out _)!;
        var trusted = trustNewBundle
            ? authority.Trusted.Select(c => c.Fingerprint).ToList()
            : [authority.Active.Fingerprint, .. authority.Previous is null ? Array.Empty<string>() : [authority.Previous.Fingerprint]];
        return members
            .Where(m => m.Pod != except)
            .ToDictionary(
                m => m.Pod,
                m => new MemberTlsObservation(IssuedCertificate.FromPem(Encoding.UTF8.GetString(state.MemberData[m.Pod + ".crt"]), null).Fingerprint, trusted));
    }

    private static X509Certificate2 Leaf(MeshCertificatePlan plan, string pod) =>
        X509Certificate2.CreateFromPem(Encoding.UTF8.GetString(plan.MemberData[pod + ".crt"]));

    private static string Bundle(MeshCertificatePlan plan) => Encoding.UTF8.GetString(plan.MemberData["ca.crt"]);

    private static X509Certificate2Collection CertificatesIn(string pem)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPem(pem);
        return collection;
    }

    private static bool VerifiesAgainst(X509Certificate2 leaf, string bundlePem, DateTimeOffset at)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(CertificatesIn(bundlePem));
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = at.UtcDateTime;
        return chain.Build(leaf);
    }
}
