using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace K8sReplication.Kube.Tests.Conformance;

/// <summary>A typed custom resource, declared the way the operator declares ReplicationMesh (metadata from the client).</summary>
public sealed class Widget : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "conformance.k8srepl.dev/v1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "Widget";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public WidgetSpec? Spec { get; set; }

    [JsonPropertyName("status")]
    public WidgetStatus? Status { get; set; }
}

public sealed class WidgetSpec
{
    public int Size { get; set; }
}

public sealed class WidgetStatus
{
    public int Ready { get; set; }

    public long? ObservedGeneration { get; set; }
}
