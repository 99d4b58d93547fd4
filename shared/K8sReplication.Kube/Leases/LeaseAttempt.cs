namespace K8sReplication.Kube.Leases;

/// <summary>Outcome of one acquire-or-renew round.</summary>
internal enum LeaseAttempt
{
    /// <summary>We hold the lease (acquired or renewed).</summary>
    Held,

    /// <summary>Another candidate holds an unexpired lease.</summary>
    HeldByOther,

    /// <summary>The write lost a race (409) or failed; try again later.</summary>
    Failed,
}
