using K8sReplication.Contracts.Health;
using K8sReplication.Contracts.Mesh;
using K8sReplication.Operator.Mesh;

namespace K8sReplication.Operator.Tests.Mesh;

public sealed class MeshTlsHealthTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TlsExpectation Issued = new(TlsMode.Operator, "m-member-tls", "Issued", "3 member certificates current");

    private static MemberObservation Member(string pod, string scheme = "https", TlsHealth? tls = null, bool reachable = true) =>
        new(pod, $"{scheme}://10.0.0.1:8900", "http://10.0.0.1:8901",
            reachable ? new SidecarHealth { Tls = tls ?? new TlsHealth { CertificateFingerprint = "ab", CertificateNotAfter = Now.AddDays(60) } } : null,
            reachable ? null : "refused", Now);

    [Fact]
    public void AllMembersOnTls_IsTrue_WithThePlansReason()
    {
        var condition = MeshTlsHealth.Condition([Member("a"), Member("b", reachable: false)], Issued, Now);

        Assert.Equal(ConditionTypes.TlsReady, condition.Type);
        Assert.Equal(ConditionStatus.True, condition.Status);
        Assert.Equal("Issued", condition.Reason);
    }

    [Fact]
    public void MemberStartedWithoutTls_IsFalse_NamingItAndTheSecretToMount()
    {
        var condition = MeshTlsHealth.Condition([Member("a"), Member("b", scheme: "http")], Issued, Now);

        Assert.Equal(ConditionStatus.False, condition.Status);
        Assert.Equal("MembersWithoutTls", condition.Reason);
        Assert.Contains("b", condition.Message, StringComparison.Ordinal);
        Assert.Contains("m-member-tls", condition.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MemberPresentingAnExpiredCertificate_IsFalse()
    {
        var expired = new TlsHealth { CertificateFingerprint = "ab", CertificateNotAfter = Now.AddSeconds(-1) };

        var condition = MeshTlsHealth.Condition([Member("a", tls: expired)], Issued, Now);

        Assert.Equal("CertificateExpired", condition.Reason);
    }

    [Fact]
    public void BlockedPlan_IsFalse_WithItsMessage()
    {
        var blocked = Issued with { Reason = "InvalidAuthority", Message = "key 'ca.key' is missing", Blocked = true };

        var condition = MeshTlsHealth.Condition([Member("a")], blocked, Now);

        Assert.Equal(ConditionStatus.False, condition.Status);
        Assert.Equal("key 'ca.key' is missing", condition.Message);
    }

    [Fact]
    public void SecretMode_IsTrue_NamingTheUsersSecret()
    {
        var condition = MeshTlsHealth.Condition([Member("a")], new TlsExpectation(TlsMode.Secret, "from-cert-manager", "SecretProvided", ""), Now);

        Assert.Equal(ConditionStatus.True, condition.Status);
        Assert.Contains("from-cert-manager", condition.Message, StringComparison.Ordinal);
    }
}
