namespace K8sReplication.Kube.Watch;

public enum WatchEventType
{
    Added,
    Modified,
    Deleted,

    /// <summary>No change; only advances the resourceVersion to resume from.</summary>
    Bookmark,
}
