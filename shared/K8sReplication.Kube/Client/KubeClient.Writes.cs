using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using K8sReplication.Kube.Json;
using K8sReplication.Kube.Models;

namespace K8sReplication.Kube.Client;

public sealed partial class KubeClient
{
    private const string MergePatch = "application/merge-patch+json";

    /// <summary>
    /// Creates the object in its metadata.namespace (else <paramref name="namespace"/>, else the default). Fills
    /// apiVersion/kind when null. Returns the stored object (uid, resourceVersion, defaults).
    /// </summary>
    /// <exception cref="KubeApiException">409 AlreadyExists, 422 Invalid, ...</exception>
    public Task<T> CreateAsync<T>(ResourceType<T> type, T obj, string? @namespace = null, CancellationToken cancellationToken = default)
        where T : class, IKubeObject
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(obj);
        var path = type.CollectionPath(ResolveNamespace(type, obj.Metadata?.Namespace ?? @namespace));
        return WriteAsync(type, HttpMethod.Post, path, Serialize(type, obj), "application/json", cancellationToken);
    }

    /// <summary>
    /// Replaces the object (PUT). With metadata.resourceVersion set this is a compare-and-swap: a stale version gives
    /// 409 (<see cref="KubeApiException.IsConflict"/>) and the caller re-reads. The status is ignored by servers
    /// whose type has a status subresource; use <see cref="ReplaceStatusAsync{T}"/>.
    /// </summary>
    public Task<T> ReplaceAsync<T>(ResourceType<T> type, T obj, CancellationToken cancellationToken = default)
        where T : class, IKubeObject
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(obj);
        var path = type.ObjectPath(ResolveNamespace(type, obj.Metadata?.Namespace), obj.Metadata?.Name ?? "");
        return WriteAsync(type, HttpMethod.Put, path, Serialize(type, obj), "application/json", cancellationToken);
    }

    /// <summary>Replaces only the status (PUT .../status); metadata.resourceVersion fences like Replace.</summary>
    public Task<T> ReplaceStatusAsync<T>(ResourceType<T> type, T obj, CancellationToken cancellationToken = default)
        where T : class, IKubeObject
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(obj);
        var path = type.ObjectPath(ResolveNamespace(type, obj.Metadata?.Namespace), obj.Metadata?.Name ?? "") + "/status";
        return WriteAsync(type, HttpMethod.Put, path, Serialize(type, obj), "application/json", cancellationToken);
    }

    /// <summary>Applies a JSON merge patch (RFC 7386): objects merge, null deletes a key, arrays are replaced.</summary>
    public Task<T> PatchAsync<T>(ResourceType<T> type, string name, JsonNode patch, string? @namespace = null,
        CancellationToken cancellationToken = default)
        where T : class, IKubeObject
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(patch);
        var path = type.ObjectPath(ResolveNamespace(type, @namespace), name);
        return WriteAsync(type, HttpMethod.Patch, path, Encoding.UTF8.GetBytes(patch.ToJsonString()), MergePatch, cancellationToken);
    }

    /// <summary>Applies a JSON merge patch to the status subresource.</summary>
    public Task<T> PatchStatusAsync<T>(ResourceType<T> type, string name, JsonNode patch, string? @namespace = null,
        CancellationToken cancellationToken = default)
        where T : class, IKubeObject
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(patch);
        var path = type.ObjectPath(ResolveNamespace(type, @namespace), name) + "/status";
        return WriteAsync(type, HttpMethod.Patch, path, Encoding.UTF8.GetBytes(patch.ToJsonString()), MergePatch, cancellationToken);
    }

    /// <summary>
    /// Deletes the object. Returns the object when it still exists afterwards (finalizers pending: it now carries a
    /// deletionTimestamp), or null when it is gone.
    /// </summary>
    /// <exception cref="KubeApiException">IsNotFound when absent; IsConflict when a precondition fails.</exception>
    public async Task<T?> DeleteAsync<T>(ResourceType<T> type, string name, string? @namespace = null, DeleteOptions? options = null,
        CancellationToken cancellationToken = default)
        where T : class, IKubeObject
    {
        ArgumentNullException.ThrowIfNull(type);
        var path = type.ObjectPath(ResolveNamespace(type, @namespace), name);
        var body = options is null ? null : JsonSerializer.SerializeToUtf8Bytes(options, KubeJsonContext.Default.DeleteOptions);
        var response = await SendAsync(HttpMethod.Delete, path, body, "application/json", idempotent: false, cancellationToken)
            .ConfigureAwait(false);
        if (TryParseStatus(response) is not null)
        {
            return null;
        }

        var obj = Deserialize(type, response, path);
        return obj.Metadata?.DeletionTimestamp is null ? null : obj;
    }

    private async Task<T> WriteAsync<T>(ResourceType<T> type, HttpMethod method, string path, byte[] body, string contentType,
        CancellationToken cancellationToken)
        where T : class, IKubeObject
    {
        var response = await SendAsync(method, path, body, contentType, idempotent: false, cancellationToken).ConfigureAwait(false);
        return Deserialize(type, response, path);
    }

    private static byte[] Serialize<T>(ResourceType<T> type, T obj)
        where T : class, IKubeObject
    {
        obj.ApiVersion ??= type.ApiVersion;
        obj.Kind ??= type.Kind;
        return JsonSerializer.SerializeToUtf8Bytes(obj, type.TypeInfo);
    }
}
