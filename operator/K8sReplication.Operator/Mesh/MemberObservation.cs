using K8sReplication.Contracts.Health;

namespace K8sReplication.Operator.Mesh;

/// <summary>What one status read of a member returned: its health, or why it could not be read.</summary>
internal sealed record MemberObservation(
    string Pod,
    string ReplicationUrl,
    string AdminUrl,
    SidecarHealth? Health,
    string? Error,
    DateTimeOffset At)
{
    /// <summary>State shown for a member whose status was not read because the mesh's auth Secret was refused.</summary>
    public const string NotContactedState = "NotContacted";

    public bool Reachable => Health is not null;

    /// <summary>True when the member's pod is being deleted (its sidecar drains).</summary>
    public bool Terminating { get; init; }

    /// <summary>False when the operator deliberately did not call the member (refused auth Secret).</summary>
    public bool Contacted { get; init; } = true;

    /// <summary>Largest lag of this member behind any of its peers.</summary>
    public (long Changes, double Seconds) MaxLag =>
        Health is null || Health.Peers.Count == 0
            ? (0, 0)
            : (Health.Peers.Max(p => p.LagChanges), Health.Peers.Max(p => p.LagSeconds));
}
