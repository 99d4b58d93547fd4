using System.Text.Json;
using k8s;
using k8s.Models;

namespace K8sReplication.Kube.Resources;

/// <summary>The built-in resources we list and watch, and custom resources read through the client's CustomObjects API.</summary>
public static class KubeResources
{
    public static KubeResource<V1Pod> Pods { get; } = new("", "v1", "pods", "Pod", async (client, r, ct) =>
    {
        var list = r.Namespace is null
            ? await client.CoreV1.ListPodForAllNamespacesAsync(continueParameter: r.Continue, fieldSelector: r.FieldSelector,
                labelSelector: r.LabelSelector, limit: r.Limit, cancellationToken: ct).ConfigureAwait(false)
            : await client.CoreV1.ListNamespacedPodAsync(r.Namespace, continueParameter: r.Continue, fieldSelector: r.FieldSelector,
                labelSelector: r.LabelSelector, limit: r.Limit, cancellationToken: ct).ConfigureAwait(false);
        return Page(list.Items, list.Metadata);
    });

    public static KubeResource<V1ConfigMap> ConfigMaps { get; } = new("", "v1", "configmaps", "ConfigMap", async (client, r, ct) =>
    {
        var list = r.Namespace is null
            ? await client.CoreV1.ListConfigMapForAllNamespacesAsync(continueParameter: r.Continue, fieldSelector: r.FieldSelector,
                labelSelector: r.LabelSelector, limit: r.Limit, cancellationToken: ct).ConfigureAwait(false)
            : await client.CoreV1.ListNamespacedConfigMapAsync(r.Namespace, continueParameter: r.Continue, fieldSelector: r.FieldSelector,
                labelSelector: r.LabelSelector, limit: r.Limit, cancellationToken: ct).ConfigureAwait(false);
        return Page(list.Items, list.Metadata);
    });

    public static KubeResource<V1Secret> Secrets { get; } = new("", "v1", "secrets", "Secret", async (client, r, ct) =>
    {
        var list = r.Namespace is null
            ? await client.CoreV1.ListSecretForAllNamespacesAsync(continueParameter: r.Continue, fieldSelector: r.FieldSelector,
                labelSelector: r.LabelSelector, limit: r.Limit, cancellationToken: ct).ConfigureAwait(false)
            : await client.CoreV1.ListNamespacedSecretAsync(r.Namespace, continueParameter: r.Continue, fieldSelector: r.FieldSelector,
                labelSelector: r.LabelSelector, limit: r.Limit, cancellationToken: ct).ConfigureAwait(false);
        return Page(list.Items, list.Metadata);
    });

    /// <summary>A custom resource whose objects the client's JSON (<see cref="KubernetesJson"/>) reads as <typeparamref name="T"/>.</summary>
    public static KubeResource<T> Custom<T>(string group, string version, string plural, string kind)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        new(group, version, plural, kind, async (client, r, ct) =>
        {
            var body = r.Namespace is null
                ? await client.CustomObjects.ListClusterCustomObjectAsync(group, version, plural, continueParameter: r.Continue,
                    fieldSelector: r.FieldSelector, labelSelector: r.LabelSelector, limit: r.Limit, cancellationToken: ct).ConfigureAwait(false)
                : await client.CustomObjects.ListNamespacedCustomObjectAsync(group, version, r.Namespace, plural, continueParameter: r.Continue,
                    fieldSelector: r.FieldSelector, labelSelector: r.LabelSelector, limit: r.Limit, cancellationToken: ct).ConfigureAwait(false);
            var list = (JsonElement)body;
            var items = list.TryGetProperty("items", out var array) && array.ValueKind == JsonValueKind.Array
                ? array.EnumerateArray().Select(i => KubernetesJson.Deserialize<T>(i)).ToList()
                : [];
            var meta = list.TryGetProperty("metadata", out var m) ? KubernetesJson.Deserialize<V1ListMeta>(m) : null;
            return Page(items, meta);
        });

    private static KubeListPage<T> Page<T>(IList<T>? items, V1ListMeta? meta) =>
        new([.. items ?? []], meta?.ResourceVersion, string.IsNullOrEmpty(meta?.ContinueProperty) ? null : meta.ContinueProperty);
}
