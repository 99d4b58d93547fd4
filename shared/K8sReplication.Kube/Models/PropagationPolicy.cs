namespace K8sReplication.Kube.Models;

/// <summary>How a delete treats dependents (objects whose ownerReferences point at the deleted one).</summary>
public static class PropagationPolicy
{
    public const string Background = "Background";
    public const string Foreground = "Foreground";
    public const string Orphan = "Orphan";
}
