namespace K8sReplication.Operator.Pki;

/// <summary>
/// What the operator should store for a mesh's certificates, and what to tell about it. The Secrets' data are the
/// complete desired contents; <see cref="AuthorityChanged"/> and <see cref="MembersChanged"/> say whether writing them
/// changes anything. A plan that cannot go on (<see cref="Blocked"/>) changes nothing.
/// </summary>
internal sealed record MeshCertificatePlan(
    IReadOnlyDictionary<string, byte[]> AuthorityData,
    bool AuthorityChanged,
    IReadOnlyDictionary<string, byte[]> MemberData,
    bool MembersChanged,
    IReadOnlyList<string> Issued,
    TimeSpan RequeueAfter,
    string Reason,
    string Message)
{
    /// <summary>True when the stored state is unusable and a person must act; the message says what is wrong.</summary>
    public bool Blocked { get; init; }
}
