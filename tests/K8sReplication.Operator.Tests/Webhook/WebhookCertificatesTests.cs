using System.Security.Cryptography.X509Certificates;
using System.Text;
using K8sReplication.Operator.Pki;
using K8sReplication.Operator.Webhook;

namespace K8sReplication.Operator.Tests.Webhook;

public sealed class WebhookCertificatesTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly PkiOptions Options = new();
    private static readonly IReadOnlyList<string> Names = WebhookOptions.DnsNames("k8srepl-webhook", "k8srepl-system");

    private static IssuedCertificate Serving(WebhookCertificatePlan plan) => WebhookCertificates.Serving(plan.Data)!;

    private static bool Trusted(WebhookCertificatePlan plan, DateTimeOffset at)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        var bundle = new X509Certificate2Collection();
        bundle.ImportFromPem(plan.CaBundle);
        chain.ChainPolicy.CustomTrustStore.AddRange(bundle);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = at.UtcDateTime;
        return chain.Build(Serving(plan).Certificate);
    }

    [Fact]
    public void FirstPlan_MakesAnAuthorityAndAServingCertificateForTheServiceNames()
    {
        var plan = WebhookCertificates.Plan(null, Names, null, Start, Options);

        Assert.True(plan.Changed);
        Assert.Equal(["ca.crt", "ca.key", "tls.crt", "tls.key"], plan.Data.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["k8srepl-webhook.k8srepl-system.svc", "k8srepl-webhook.k8srepl-system.svc.cluster.local"],
            CertificateFactory.SubjectAlternativeNames(Serving(plan)).DnsNames);
        Assert.True(Trusted(plan, Start));
        Assert.DoesNotContain("PRIVATE KEY", plan.CaBundle, StringComparison.Ordinal);
    }

    [Fact]
    public void AValidSecret_IsReusedUnchanged()
    {
        var first = WebhookCertificates.Plan(null, Names, null, Start, Options);
        var again = WebhookCertificates.Plan(first.Data, Names, first.CaBundle, Start + TimeSpan.FromDays(10), Options);

        Assert.False(again.Changed);
        Assert.Equal(Serving(first).Fingerprint, Serving(again).Fingerprint);
        Assert.True(again.RequeueAfter <= Options.MemberValidity * Options.RenewFraction);
    }

    [Fact]
    public void TheServingCertificate_IsRenewedAtTwoThirdsOfItsLife_UnderTheSameAuthority()
    {
        var first = WebhookCertificates.Plan(null, Names, null, Start, Options);
        var due = Serving(first).RenewAt(Options.RenewFraction);

        var before = WebhookCertificates.Plan(first.Data, Names, first.CaBundle, due - TimeSpan.FromMinutes(1), Options);
        Assert.False(before.Changed);

        var renewed = WebhookCertificates.Plan(first.Data, Names, first.CaBundle, due, Options);
        Assert.True(renewed.Changed);
        Assert.NotEqual(Serving(first).Fingerprint, Serving(renewed).Fingerprint);
        Assert.Equal(first.CaBundle, renewed.CaBundle);
        Assert.True(Trusted(renewed, due));
    }

    [Fact]
    public void AChangedServiceName_GetsANewServingCertificate()
    {
        var first = WebhookCertificates.Plan(null, Names, null, Start, Options);
        var moved = WebhookCertificates.Plan(first.Data, WebhookOptions.DnsNames("hook", "ops"), first.CaBundle, Start, Options);
        Assert.True(moved.Changed);
        Assert.Contains("hook.ops.svc", CertificateFactory.SubjectAlternativeNames(Serving(moved)).DnsNames);
    }

    [Fact]
    public void TheAuthority_IsRotatedOnlyOnceTheClustersBundleHoldsTheNewOne_AndTheOldOneLeavesAfterAGrace()
    {
        var first = WebhookCertificates.Plan(null, Names, null, Start, Options);
        var oldServing = Serving(first);
        var due = MeshAuthority.Parse(first.Data, out _)!.Active.RenewAt(Options.RenewFraction);

        // 1. The next authority joins the bundle; the serving certificate does not change yet.
        var adding = WebhookCertificates.Plan(first.Data, Names, first.CaBundle, due, Options);
        Assert.True(adding.Changed);
        Assert.Contains("next-ca.crt", adding.Data.Keys);
        Assert.True(Trusted(adding, due));
        Assert.True(adding.RequeueAfter <= WebhookCertificates.RotationRetry);

        // While the cluster's bundle does not hold it, nothing moves.
        var waiting = WebhookCertificates.Plan(adding.Data, Names, first.CaBundle, due + TimeSpan.FromSeconds(5), Options);
        Assert.False(waiting.Changed);

        // 2. The cluster trusts both: the next authority signs a new serving certificate; the old one stays trusted.
        var promoted = WebhookCertificates.Plan(adding.Data, Names, adding.CaBundle, due + TimeSpan.FromSeconds(10), Options);
        Assert.True(promoted.Changed);
        Assert.Contains("previous-ca.crt", promoted.Data.Keys);
        Assert.DoesNotContain("next-ca.crt", promoted.Data.Keys);
        Assert.NotEqual(oldServing.Fingerprint, Serving(promoted).Fingerprint);
        Assert.True(WebhookCertificates.BundleHolds(promoted.CaBundle, MeshAuthority.Parse(first.Data, out _)!.Active));
        Assert.True(Trusted(promoted, due + TimeSpan.FromSeconds(10)));

        // 3. After the grace every replica has loaded the new serving certificate: the old authority leaves the bundle.
        var later = due + TimeSpan.FromSeconds(10) + WebhookCertificates.PreviousAuthorityGrace + TimeSpan.FromMinutes(1);
        var dropped = WebhookCertificates.Plan(promoted.Data, Names, promoted.CaBundle, later, Options);
        Assert.True(dropped.Changed);
        Assert.DoesNotContain("previous-ca.crt", dropped.Data.Keys);
        Assert.False(WebhookCertificates.BundleHolds(dropped.CaBundle, MeshAuthority.Parse(first.Data, out _)!.Active));
        Assert.True(Trusted(dropped, later));
    }

    [Fact]
    public void AnUnusableSecret_IsReplaced()
    {
        var broken = new Dictionary<string, byte[]> { ["ca.crt"] = Encoding.UTF8.GetBytes("not a certificate") };
        var plan = WebhookCertificates.Plan(broken, Names, null, Start, Options);
        Assert.True(plan.Changed);
        Assert.True(Trusted(plan, Start));
    }
}
