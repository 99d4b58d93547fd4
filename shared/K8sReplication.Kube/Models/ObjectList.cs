namespace K8sReplication.Kube.Models;

/// <summary>One page of a list (or all pages, from ListAll). Built by the client, item by item, from the response.</summary>
public sealed class ObjectList<T>
{
    public ObjectList(ListMeta metadata, IReadOnlyList<T> items)
    {
        Metadata = metadata;
        Items = items;
    }

    public ListMeta Metadata { get; }

    public IReadOnlyList<T> Items { get; }

    /// <summary>The snapshot version to start a watch from.</summary>
    public string? ResourceVersion => Metadata.ResourceVersion;

    /// <summary>The continue token for the next page, or null on the last page.</summary>
    public string? Continue => string.IsNullOrEmpty(Metadata.Continue) ? null : Metadata.Continue;
}
