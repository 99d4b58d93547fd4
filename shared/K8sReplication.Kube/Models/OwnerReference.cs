namespace K8sReplication.Kube.Models;

/// <summary>Links a dependent to its owner; the garbage collector deletes dependents when the owner goes.</summary>
public sealed class OwnerReference
{
    public string ApiVersion { get; set; } = "";

    public string Kind { get; set; } = "";

    public string Name { get; set; } = "";

    public string Uid { get; set; } = "";

    public bool? Controller { get; set; }

    public bool? BlockOwnerDeletion { get; set; }
}
