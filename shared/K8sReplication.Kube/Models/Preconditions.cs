namespace K8sReplication.Kube.Models;

/// <summary>Delete only if the object still has this uid / resourceVersion (else 409).</summary>
public sealed class Preconditions
{
    public string? Uid { get; set; }

    public string? ResourceVersion { get; set; }
}
