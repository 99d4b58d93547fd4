using K8sReplication.Kube.Json;
using K8sReplication.Kube.Models;

namespace K8sReplication.Kube.Client;

/// <summary>Descriptors of the built-in kinds we use.</summary>
public static class ResourceTypes
{
    public static ResourceType<Pod> Pods { get; } = new("", "v1", "pods", "Pod", true, KubeJsonContext.Default.Pod);

    public static ResourceType<ConfigMap> ConfigMaps { get; } =
        new("", "v1", "configmaps", "ConfigMap", true, KubeJsonContext.Default.ConfigMap);

    public static ResourceType<Secret> Secrets { get; } = new("", "v1", "secrets", "Secret", true, KubeJsonContext.Default.Secret);

    public static ResourceType<KubeEvent> Events { get; } =
        new("events.k8s.io", "v1", "events", "Event", true, KubeJsonContext.Default.KubeEvent);

    public static ResourceType<Lease> Leases { get; } =
        new("coordination.k8s.io", "v1", "leases", "Lease", true, KubeJsonContext.Default.Lease);

    public static ResourceType<CustomResourceDefinition> CustomResourceDefinitions { get; } =
        new("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false,
            KubeJsonContext.Default.CustomResourceDefinition);

    /// <summary>An untyped custom resource (spec/status as JSON).</summary>
    public static ResourceType<GenericObject> Custom(string group, string version, string plural, string kind, bool namespaced) =>
        new(group, version, plural, kind, namespaced, KubeJsonContext.Default.GenericObject);
}
