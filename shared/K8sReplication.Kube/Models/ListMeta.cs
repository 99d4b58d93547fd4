namespace K8sReplication.Kube.Models;

/// <summary>List metadata: the snapshot's resourceVersion and the continue token of the next page.</summary>
public sealed class ListMeta
{
    public string? ResourceVersion { get; set; }

    public string? Continue { get; set; }

    public long? RemainingItemCount { get; set; }
}
