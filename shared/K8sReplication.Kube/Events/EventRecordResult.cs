namespace K8sReplication.Kube.Events;

public enum EventRecordResult
{
    /// <summary>A new Event object was written.</summary>
    Created,

    /// <summary>A repeat: the existing Event's series count was bumped.</summary>
    SeriesUpdated,

    /// <summary>Dropped: too many events for this object.</summary>
    RateLimited,

    /// <summary>The API call failed; events are best effort and never fail the caller.</summary>
    Failed,
}
