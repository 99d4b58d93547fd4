using k8s.Models;

namespace K8sReplication.Kube.Leases;

/// <summary>The fields whose change proves the holder is alive (compared by value).</summary>
internal sealed record LeaseRecord(string? Holder, DateTime? RenewTime, DateTime? AcquireTime, int? Duration, int? Transitions)
{
    public static LeaseRecord From(V1LeaseSpec spec) =>
        new(spec.HolderIdentity, spec.RenewTime, spec.AcquireTime, spec.LeaseDurationSeconds, spec.LeaseTransitions);
}
