namespace K8sReplication.Operator.Mesh;

/// <summary>Tunables of the mesh reconciler; every one has a named default.</summary>
internal sealed record MeshReconcilerOptions
{
    public static readonly TimeSpan DefaultResync = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultUnsettledRequeue = TimeSpan.FromSeconds(2);
    public const int DefaultMemberConcurrency = 8;

    /// <summary>How often a settled mesh is looked at again (status refresh), independent of events.</summary>
    public TimeSpan Resync { get; init; } = DefaultResync;

    /// <summary>Requeue delay while a mesh is not ready, converged and on its config (capped by <see cref="Resync"/>).</summary>
    public TimeSpan UnsettledRequeue { get; init; } = DefaultUnsettledRequeue;

    /// <summary>Lifetimes and renewal of the certificates the operator issues (TLS mode Operator).</summary>
    public Pki.PkiOptions Pki { get; init; } = new();

    /// <summary>How the mesh NetworkPolicies name the operator's pods.</summary>
    public Network.NetworkPolicyOptions NetworkPolicy { get; init; } = new();

    /// <summary>Sidecar calls in flight at once for one mesh.</summary>
    public int MemberConcurrency { get; init; } = DefaultMemberConcurrency;
}
