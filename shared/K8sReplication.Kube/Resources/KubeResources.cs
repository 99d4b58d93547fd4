using System.Text.Json;
using k8s;
using k8s.Models;

namespace K8sReplication.Kube.Resources;

/// <summary>The built-in resources we list and watch, and custom resources read through the client's CustomObjects API.</summary>
public static class KubeResources
{
    public static KubeResource<V1Pod> Pods { get; } = Core<V1Pod, V1PodList>("pods", "Pod",
        (c, r, ct) => c.CoreV1.ListPodForAllNamespacesAsync(continueParameter: r.Continue, fieldSelector: r.FieldSelector,
            labelSelector: r.LabelSelector, limit: r.Limit, cancellationToken: ct),
        (c, r, ct) => c.CoreV1.ListNamespacedPodAsync(r.Namespace, continueParameter: r.Continue, fieldSelector: r.FieldSelector,
            labelSelector: r.LabelSelector, limit: r.Limit, cancellationToken: ct));

    public static KubeResource<V1ConfigMap> ConfigMaps { get; } = Core<V1ConfigMap, V1ConfigMapList>("configmaps", "ConfigMap",
        (c, r, ct) => c.CoreV1.ListConfigMapForAllNamespacesAsync(continueParameter: r.Continue, fieldSelector: r.FieldSelector,
            labelSelector: r.LabelSelector, limit: r.Limit, cancellationToken: ct),
        (c, r, ct) => c.CoreV1.ListNamespacedConfigMapAsync(r.Namespace, continueParameter: r.Continue, fieldSelector: r.FieldSelector,
            labelSelector: r.LabelSelector, limit: r.Limit, cancellationToken: ct));

    public static KubeResource<V1Secret> Secrets { get; } = Core<V1Secret, V1SecretList>("secrets", "Secret",
        (c, r, ct) => c.CoreV1.ListSecretForAllNamespacesAsync(continueParameter: r.Continue, fieldSelector: r.FieldSelector,
            labelSelector: r.LabelSelector, limit: r.Limit, cancellationToken: ct),
        (c, r, ct) => c.CoreV1.ListNamespacedSecretAsync(r.Namespace, continueParameter: r.Continue, fieldSelector: r.FieldSelector,
            labelSelector: r.LabelSelector, limit: r.Limit, cancellationToken: ct));

    public static KubeResource<V1NetworkPolicy> NetworkPolicies { get; } = Typed<V1NetworkPolicy, V1NetworkPolicyList>(
        "networking.k8s.io", "networkpolicies", "NetworkPolicy",
        (c, r, ct) => c.NetworkingV1.ListNetworkPolicyForAllNamespacesAsync(continueParameter: r.Continue, fieldSelector: r.FieldSelector,
            labelSelector: r.LabelSelector, limit: r.Limit, cancellationToken: ct),
        (c, r, ct) => c.NetworkingV1.ListNamespacedNetworkPolicyAsync(r.Namespace, continueParameter: r.Continue, fieldSelector: r.FieldSelector,
            labelSelector: r.LabelSelector, limit: r.Limit, cancellationToken: ct));

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

    /// <summary>A core-group resource listed by the client's typed calls: across namespaces, or in one.</summary>
    private static KubeResource<T> Core<T, TList>(string plural, string kind,
        Func<IKubernetes, ListRequest, CancellationToken, Task<TList>> acrossNamespaces,
        Func<IKubernetes, ListRequest, CancellationToken, Task<TList>> inNamespace)
        where T : class, IKubernetesObject<V1ObjectMeta>
        where TList : IItems<T>, IMetadata<V1ListMeta> =>
        Typed<T, TList>("", plural, kind, acrossNamespaces, inNamespace);

    /// <summary>A v1 resource of <paramref name="group"/> listed by the client's typed calls: across namespaces, or in one.</summary>
    private static KubeResource<T> Typed<T, TList>(string group, string plural, string kind,
        Func<IKubernetes, ListRequest, CancellationToken, Task<TList>> acrossNamespaces,
        Func<IKubernetes, ListRequest, CancellationToken, Task<TList>> inNamespace)
        where T : class, IKubernetesObject<V1ObjectMeta>
        where TList : IItems<T>, IMetadata<V1ListMeta> =>
        new(group, "v1", plural, kind, async (client, r, ct) =>
        {
            var list = await (r.Namespace is null ? acrossNamespaces(client, r, ct) : inNamespace(client, r, ct)).ConfigureAwait(false);
            return Page(list.Items, list.Metadata);
        });

    private static KubeListPage<T> Page<T>(IList<T>? items, V1ListMeta? meta) =>
        new([.. items ?? []], meta?.ResourceVersion, string.IsNullOrEmpty(meta?.ContinueProperty) ? null : meta.ContinueProperty);
}
