using K8sReplication.Contracts.Mesh;
using K8sReplication.Kube.Resources;

namespace K8sReplication.Operator.Mesh;

/// <summary>The ReplicationMesh resource (listed and watched by the informer) and the names of what the operator creates for one.</summary>
internal static class MeshResource
{
    public static KubeResource<ReplicationMesh> Type { get; } =
        KubeResources.Custom<ReplicationMesh>(MeshApi.Group, MeshApi.Version, MeshApi.Plural, MeshApi.Kind);

    /// <summary>Annotation on the config ConfigMap: fingerprint of the member configs it holds (generation excluded).</summary>
    public const string FingerprintAnnotation = "replication.k8srepl.dev/config-fingerprint";

    /// <summary>Annotation on the config ConfigMap: the config generation its entries carry.</summary>
    public const string GenerationAnnotation = "replication.k8srepl.dev/config-generation";

    /// <summary>Name of the ConfigMap holding every member's desired config (one key per pod).</summary>
    public static string ConfigMapName(string mesh) => mesh + "-sidecar-config";

    /// <summary>Key of one member's entry in the ConfigMap.</summary>
    public static string ConfigMapKey(string pod) => pod + ".json";
}
