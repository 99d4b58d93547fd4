namespace K8sReplication.Kube.Leases;

/// <summary>Raised on gaining leadership; <see cref="LeadershipLost"/> is cancelled when it ends.</summary>
public sealed class LeadershipEventArgs : EventArgs
{
    public LeadershipEventArgs(CancellationToken leadershipLost) => LeadershipLost = leadershipLost;

    public CancellationToken LeadershipLost { get; }
}
