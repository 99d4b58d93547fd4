namespace K8sReplication.Kube.Leases;

/// <summary>Leader election settings (client-go's defaults: 15s lease, 10s renew deadline, 2s retry).</summary>
public sealed record LeaderElectionOptions
{
    public required string LeaseName { get; init; }

    public required string LeaseNamespace { get; init; }

    /// <summary>Unique per candidate, typically the pod name.</summary>
    public required string Identity { get; init; }

    /// <summary>How long others wait after the last observed renewal before taking over.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The leader steps down when it could not renew for this long (must be below LeaseDuration).</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Interval between acquire/renew attempts.</summary>
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>On shutdown, clear the holder so a successor takes over at once instead of after LeaseDuration.</summary>
    public bool ReleaseOnCancel { get; init; } = true;

    /// <summary>Every invalid setting, each naming its field; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(LeaseName))
        {
            errors.Add("LeaseName must be set");
        }

        if (string.IsNullOrWhiteSpace(LeaseNamespace))
        {
            errors.Add("LeaseNamespace must be set");
        }

        if (string.IsNullOrWhiteSpace(Identity))
        {
            errors.Add("Identity must be set");
        }

        if (RetryPeriod <= TimeSpan.Zero)
        {
            errors.Add("RetryPeriod must be positive");
        }

        if (RenewDeadline <= RetryPeriod)
        {
            errors.Add("RenewDeadline must be greater than RetryPeriod");
        }

        if (LeaseDuration <= RenewDeadline)
        {
            errors.Add("LeaseDuration must be greater than RenewDeadline");
        }

        if (LeaseDuration < TimeSpan.FromSeconds(1))
        {
            errors.Add("LeaseDuration must be at least 1s (the Lease stores whole seconds)");
        }

        return errors;
    }
}
