namespace K8sReplication.Contracts.Mesh;

/// <summary>
/// Marks a list property as a Kubernetes "map list" keyed by the named field (<c>x-kubernetes-list-type: map</c>),
/// so server-side apply merges entries by key instead of replacing the whole list.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ListMapKeyAttribute(string key) : Attribute
{
    /// <summary>Field of the list items that identifies an entry.</summary>
    public string Key { get; } = key;
}
