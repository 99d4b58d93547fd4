using k8s;

namespace K8sReplication.Kube.Watch;

/// <summary>One watch event. For a bookmark, <see cref="Item"/> carries only metadata.resourceVersion.</summary>
public sealed class WatchEvent<T>
{
    public WatchEvent(WatchEventType type, T item, string? resourceVersion)
    {
        Type = type;
        Item = item;
        ResourceVersion = resourceVersion;
    }

    public WatchEventType Type { get; }

    public T Item { get; }

    /// <summary>The version to resume the watch from after this event.</summary>
    public string? ResourceVersion { get; }

    public override string ToString() => $"{Type} rv={ResourceVersion}";
}
