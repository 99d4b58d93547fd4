using k8s;
using k8s.Models;

namespace K8sReplication.Kube.Resources;

/// <summary>
/// One REST resource the informer lists and watches: where it lives (group/version/plural) and how one page of it is
/// listed through the official client. Objects are the client's typed models (or a custom type the client's JSON
/// reads), so list, watch and the client's own calls agree on their shape. Built-ins are in
/// <see cref="KubeResources"/>.
/// </summary>
public sealed class KubeResource<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly string _prefix;
    private readonly Func<IKubernetes, ListRequest, CancellationToken, Task<KubeListPage<T>>> _list;

    public KubeResource(string group, string version, string plural, string kind,
        Func<IKubernetes, ListRequest, CancellationToken, Task<KubeListPage<T>>> list)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        ArgumentException.ThrowIfNullOrWhiteSpace(plural);
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentNullException.ThrowIfNull(list);
        Group = group;
        Version = version;
        Plural = plural;
        Kind = kind;
        _list = list;
        ApiVersion = group.Length == 0 ? version : group + "/" + version;
        _prefix = group.Length == 0 ? "api/" + version : "apis/" + group + "/" + version;
    }

    /// <summary>API group; empty for the core group.</summary>
    public string Group { get; }

    public string Version { get; }

    public string Plural { get; }

    public string Kind { get; }

    /// <summary>"v1" for core, else "group/version".</summary>
    public string ApiVersion { get; }

    /// <summary>One page; items carry apiVersion and kind even though a list's items omit them on the wire.</summary>
    public async Task<KubeListPage<T>> ListPageAsync(IKubernetes client, ListRequest request, CancellationToken cancellationToken)
    {
        var page = await _list(client, request, cancellationToken).ConfigureAwait(false);
        foreach (var item in page.Items)
        {
            item.ApiVersion ??= ApiVersion;
            item.Kind ??= Kind;
        }

        return page;
    }

    /// <summary>
    /// Lists every page (following continue tokens) and returns all items with the snapshot resourceVersion of the
    /// first page, which is where a following watch must start.
    /// </summary>
    public async Task<KubeListPage<T>> ListAllAsync(IKubernetes client, string? @namespace, string? labelSelector, string? fieldSelector,
        CancellationToken cancellationToken)
    {
        var items = new List<T>();
        string? resourceVersion = null;
        var request = new ListRequest(@namespace, labelSelector, fieldSelector, null, 500);
        while (true)
        {
            var page = await ListPageAsync(client, request, cancellationToken).ConfigureAwait(false);
            resourceVersion ??= page.ResourceVersion;
            items.AddRange(page.Items);
            if (page.Continue is null)
            {
                return new KubeListPage<T>(items, resourceVersion, null);
            }

            request = request with { Continue = page.Continue };
        }
    }

    /// <summary>Relative collection path (no leading slash): across namespaces when <paramref name="namespace"/> is null.</summary>
    internal string CollectionPath(string? @namespace) =>
        @namespace is null ? _prefix + "/" + Plural : _prefix + "/namespaces/" + Uri.EscapeDataString(@namespace) + "/" + Plural;

    public override string ToString() => Plural + "." + (Group.Length == 0 ? "core" : Group) + "/" + Version;
}
