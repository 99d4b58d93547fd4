using K8sReplication.Contracts.Mesh;

namespace K8sReplication.Operator.Mesh;

/// <summary>
/// The TLSReady condition (pure). True when every staying member's pod starts its sidecar with TLS, every reachable
/// one reports the material it loaded and none presents an expired certificate, and (mode Operator) the certificates
/// are issued. Absent when TLS is disabled.
/// </summary>
internal static class MeshTlsHealth
{
    public static MeshCondition Condition(IReadOnlyList<MemberObservation> members, TlsExpectation tls, DateTimeOffset now)
    {
        if (tls.Blocked)
        {
            return Make(ConditionStatus.False, tls.Reason, tls.Message);
        }

        var plain = members.Where(m => !m.ReplicationUrl.StartsWith("https://", StringComparison.Ordinal)).Select(m => m.Pod).ToList();
        if (plain.Count > 0)
        {
            return Make(ConditionStatus.False, "MembersWithoutTls",
                $"members not started with TLS: {Names(plain)}; mount Secret {tls.SecretName} and pass --tls-cert, --tls-key and --tls-ca to the sidecar (see docs/security.md)");
        }

        var silent = members.Where(m => m.Health is not null && m.Health.Tls is null).Select(m => m.Pod).ToList();
        if (silent.Count > 0)
        {
            return Make(ConditionStatus.False, "MembersWithoutTls", $"members whose sidecar reports no TLS: {Names(silent)}");
        }

        var expired = members.Where(m => m.Health?.Tls is { } t && t.CertificateNotAfter <= now).Select(m => m.Pod).ToList();
        if (expired.Count > 0)
        {
            return Make(ConditionStatus.False, "CertificateExpired",
                $"members presenting an expired certificate: {Names(expired)}; peers refuse them until Secret {tls.SecretName} is renewed and loaded");
        }

        return tls.Mode == TlsMode.Operator
            ? Make(ConditionStatus.True, tls.Reason, tls.Message)
            : Make(ConditionStatus.True, "SecretProvided", $"members use the certificates of Secret {tls.SecretName}");
    }

    private static MeshCondition Make(ConditionStatus status, string reason, string message) =>
        MeshConditions.Condition(ConditionTypes.TlsReady, status, reason, message);

    private static string Names(List<string> pods) => MeshConditions.Names(pods);
}
