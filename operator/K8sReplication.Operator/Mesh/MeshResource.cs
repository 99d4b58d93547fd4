using k8s.Models;
using K8sReplication.Contracts;
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

    /// <summary>Name of the Secret holding the mesh's certificate authorities with their keys (read by the operator only).</summary>
    public static string AuthoritySecretName(string mesh) => mesh + "-ca";

    /// <summary>
    /// Name of the Secret every member mounts with TLS mode Operator: <c>ca.crt</c> (the authorities to trust) and each
    /// member's <c>POD.crt</c> and <c>POD.key</c>.
    /// </summary>
    public static string MemberTlsSecretName(string mesh) => mesh + "-member-tls";

    /// <summary>Name of the NetworkPolicy in front of the members' replication port.</summary>
    public static string NetworkPolicyName(string mesh) => mesh + "-replication";

    /// <summary>
    /// Metadata of an object the operator creates for <paramref name="mesh"/>: labelled with the mesh and as managed by
    /// the operator (its informers select on that label), and owned by the mesh so it is collected with it.
    /// </summary>
    public static V1ObjectMeta OwnedMetadata(ReplicationMesh mesh, string name) => new()
    {
        Name = name,
        NamespaceProperty = mesh.Metadata.NamespaceProperty,
        Labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [Labels.Mesh] = mesh.Metadata.Name!,
            [Labels.ManagedBy] = Labels.ManagedByValue,
        },
        OwnerReferences =
        [
            new V1OwnerReference
            {
                ApiVersion = Type.ApiVersion,
                Kind = Type.Kind,
                Name = mesh.Metadata.Name!,
                Uid = mesh.Metadata.Uid ?? "",
                Controller = true,
                BlockOwnerDeletion = true,
            },
        ],
    };

    /// <summary>The mesh's TLS mode; absent means Operator.</summary>
    public static TlsMode TlsModeOf(ReplicationMeshSpec? spec) => spec?.Tls?.Mode ?? TlsMode.Operator;

    /// <summary>
    /// The Secret a member of <paramref name="mesh"/> mounts for its certificates: the operator's member Secret in mode
    /// Operator, the user's <c>spec.tls.secretRef</c> in mode Secret, none when TLS is Disabled (or mode Secret
    /// without a secretRef, which the CRD refuses).
    /// </summary>
    public static string? MemberTlsSecret(ReplicationMesh mesh) => TlsModeOf(mesh.Spec) switch
    {
        TlsMode.Operator => MemberTlsSecretName(mesh.Metadata.Name),
        TlsMode.Secret => mesh.Spec?.Tls?.SecretRef?.Name is { Length: > 0 } name ? name : null,
        _ => null,
    };
}
