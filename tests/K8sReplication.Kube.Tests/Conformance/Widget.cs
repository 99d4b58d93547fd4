using K8sReplication.Kube.Models;

namespace K8sReplication.Kube.Tests.Conformance;

/// <summary>A typed custom resource, declared exactly as the operator declares ReplicationMesh.</summary>
public sealed class Widget : KubeObject<WidgetSpec, WidgetStatus>;

public sealed class WidgetSpec
{
    public int Size { get; set; }
}

public sealed class WidgetStatus
{
    public int Ready { get; set; }

    public long? ObservedGeneration { get; set; }
}
