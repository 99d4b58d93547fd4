using K8sReplication.Kube.Models;

namespace K8sReplication.Kube.Leases;

/// <summary>The fields whose change proves the holder is alive (compared by value).</summary>
internal sealed record LeaseRecord(string? Holder, DateTimeOffset? RenewTime, DateTimeOffset? AcquireTime, int? Duration, int? Transitions)
{
    public static LeaseRecord From(LeaseSpec spec) =>
        new(spec.HolderIdentity, spec.RenewTime, spec.AcquireTime, spec.LeaseDurationSeconds, spec.LeaseTransitions);
}
