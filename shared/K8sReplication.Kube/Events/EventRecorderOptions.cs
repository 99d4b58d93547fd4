namespace K8sReplication.Kube.Events;

/// <summary>Event recorder settings.</summary>
public sealed record EventRecorderOptions
{
    /// <summary>e.g. "replication.k8srepl.dev/operator".</summary>
    public required string ReportingController { get; init; }

    /// <summary>e.g. the operator pod name.</summary>
    public required string ReportingInstance { get; init; }

    /// <summary>Events per involved object allowed in a burst.</summary>
    public int Burst { get; init; } = 25;

    /// <summary>One more event per involved object is allowed after each interval.</summary>
    public TimeSpan RefillInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A repeat within this window bumps the existing event's series instead of creating a new event.</summary>
    public TimeSpan SeriesWindow { get; init; } = TimeSpan.FromMinutes(6);

    /// <summary>Bound of the dedup cache; the oldest half is dropped when full.</summary>
    public int MaxCachedEvents { get; init; } = 4096;
}
