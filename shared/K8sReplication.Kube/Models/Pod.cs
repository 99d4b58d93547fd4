namespace K8sReplication.Kube.Models;

/// <summary>
/// core/v1 Pod with only the fields we read. Do not Replace a pod read through this type (it would drop the fields we
/// do not model); use merge patches or the status subresource instead.
/// </summary>
public sealed class Pod : IKubeObject
{
    public string? ApiVersion { get; set; } = "v1";

    public string? Kind { get; set; } = "Pod";

    public ObjectMeta Metadata { get; set; } = new();

    public PodSpec? Spec { get; set; }

    public PodStatus? Status { get; set; }
}
