using System.Text.Json.Nodes;

namespace K8sReplication.Kube.Models;

/// <summary>apiextensions.k8s.io/v1 CRD. Spec and status stay as JSON: we only apply our own and read conditions.</summary>
public sealed class CustomResourceDefinition : IKubeObject
{
    public string? ApiVersion { get; set; } = "apiextensions.k8s.io/v1";

    public string? Kind { get; set; } = "CustomResourceDefinition";

    public ObjectMeta Metadata { get; set; } = new();

    public JsonObject? Spec { get; set; }

    public JsonObject? Status { get; set; }
}
