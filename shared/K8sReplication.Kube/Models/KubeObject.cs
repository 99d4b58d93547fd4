namespace K8sReplication.Kube.Models;

/// <summary>
/// A custom object with a typed spec and status. Declare a resource as
/// <c>KubeObject&lt;MySpec, MyStatus&gt;</c> and register it in your own source-generated JSON context.
/// <see cref="GenericObject"/> is the untyped variant.
/// </summary>
public class KubeObject<TSpec, TStatus> : IKubeObject
{
    public string? ApiVersion { get; set; }

    public string? Kind { get; set; }

    public ObjectMeta Metadata { get; set; } = new();

    public TSpec? Spec { get; set; }

    public TStatus? Status { get; set; }
}
