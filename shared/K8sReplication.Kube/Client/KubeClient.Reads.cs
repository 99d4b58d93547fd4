using System.Globalization;
using System.Text.Json;
using K8sReplication.Kube.Json;
using K8sReplication.Kube.Models;

namespace K8sReplication.Kube.Client;

public sealed partial class KubeClient
{
    /// <summary>Reads one object.</summary>
    /// <exception cref="KubeApiException">IsNotFound when absent; transient errors are retried first.</exception>
    public async Task<T> GetAsync<T>(ResourceType<T> type, string name, string? @namespace = null, CancellationToken cancellationToken = default)
        where T : class, IKubeObject
    {
        ArgumentNullException.ThrowIfNull(type);
        var path = type.ObjectPath(ResolveNamespace(type, @namespace), name);
        var body = await SendAsync(HttpMethod.Get, path, null, null, idempotent: true, cancellationToken).ConfigureAwait(false);
        return Deserialize(type, body, path);
    }

    /// <summary>Reads one object, or null when it does not exist.</summary>
    public async Task<T?> TryGetAsync<T>(ResourceType<T> type, string name, string? @namespace = null, CancellationToken cancellationToken = default)
        where T : class, IKubeObject
    {
        try
        {
            return await GetAsync(type, name, @namespace, cancellationToken).ConfigureAwait(false);
        }
        catch (KubeApiException ex) when (ex.IsNotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// Lists one page. A null or empty <paramref name="namespace"/> on a namespaced type uses the default namespace;
    /// pass <see cref="AllNamespaces"/> to list across namespaces.
    /// </summary>
    public async Task<ObjectList<T>> ListAsync<T>(ResourceType<T> type, string? @namespace = null, ListOptions? options = null,
        CancellationToken cancellationToken = default)
        where T : class, IKubeObject
    {
        ArgumentNullException.ThrowIfNull(type);
        options ??= new ListOptions();
        var path = new QueryString(CollectionPath(type, @namespace))
            .Add("labelSelector", options.LabelSelector)
            .Add("fieldSelector", options.FieldSelector)
            .Add("limit", options.Limit?.ToString(CultureInfo.InvariantCulture))
            .Add("continue", options.Continue)
            .Add("resourceVersion", options.ResourceVersion)
            .ToString();
        var body = await SendAsync(HttpMethod.Get, path, null, null, idempotent: true, cancellationToken).ConfigureAwait(false);
        return ParseList(type, body, path);
    }

    /// <summary>
    /// Lists every page (following continue tokens) and returns all items with the snapshot resourceVersion of the
    /// first page, which is where a following watch must start.
    /// </summary>
    /// <exception cref="ResourceExpiredException">A continue token expired mid-way; list again.</exception>
    public async Task<ObjectList<T>> ListAllAsync<T>(ResourceType<T> type, string? @namespace = null, ListOptions? options = null,
        CancellationToken cancellationToken = default)
        where T : class, IKubeObject
    {
        options ??= new ListOptions();
        var items = new List<T>();
        string? resourceVersion = null;
        var page = options with { Limit = options.Limit ?? 500, Continue = null };
        while (true)
        {
            var list = await ListAsync(type, @namespace, page, cancellationToken).ConfigureAwait(false);
            resourceVersion ??= list.ResourceVersion;
            items.AddRange(list.Items);
            if (list.Continue is null)
            {
                return new ObjectList<T>(new ListMeta { ResourceVersion = resourceVersion }, items);
            }

            page = page with { Continue = list.Continue };
        }
    }

    /// <summary>Pass as the namespace of a list or watch to span all namespaces.</summary>
    public const string AllNamespaces = "*";

    private string CollectionPath<T>(ResourceType<T> type, string? @namespace)
        where T : class, IKubeObject
    {
        if (type.Namespaced && @namespace == AllNamespaces)
        {
            var prefix = type.Group.Length == 0 ? "/api/" + type.Version : "/apis/" + type.Group + "/" + type.Version;
            return prefix + "/" + type.Plural;
        }

        return type.CollectionPath(ResolveNamespace(type, @namespace));
    }

    private static T Deserialize<T>(ResourceType<T> type, ReadOnlySpan<byte> body, string path)
        where T : class, IKubeObject
    {
        try
        {
            return JsonSerializer.Deserialize(body, type.TypeInfo)
                ?? throw new KubeApiException($"GET {path}: empty {type.Kind} in the response", 0, null);
        }
        catch (JsonException ex)
        {
            throw new KubeApiException($"{path}: response is not a valid {type.Kind}: {ex.Message}", 0, null, ex);
        }
    }

    /// <summary>Parses a list item by item with the type's own JSON metadata, so custom types need no list type.</summary>
    private static ObjectList<T> ParseList<T>(ResourceType<T> type, byte[] body, string path)
        where T : class, IKubeObject
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            var meta = root.TryGetProperty("metadata", out var m)
                ? m.Deserialize(KubeJsonContext.Default.ListMeta) ?? new ListMeta()
                : new ListMeta();
            var items = new List<T>();
            if (root.TryGetProperty("items", out var array) && array.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in array.EnumerateArray())
                {
                    var obj = item.Deserialize(type.TypeInfo);
                    if (obj is not null)
                    {
                        // Items in a list omit apiVersion/kind on a real server; fill them for the caller.
                        obj.ApiVersion ??= type.ApiVersion;
                        obj.Kind ??= type.Kind;
                        items.Add(obj);
                    }
                }
            }

            return new ObjectList<T>(meta, items);
        }
        catch (JsonException ex)
        {
            throw new KubeApiException($"{path}: response is not a valid {type.Kind} list: {ex.Message}", 0, null, ex);
        }
    }
}
