namespace K8sReplication.Operator.Injection;

/// <summary>The pod labels and annotations that ask for the sidecar, and the names of what injection adds.</summary>
internal static class InjectionKeys
{
    /// <summary>Prefix of every key of ours on a pod; an annotation under it that is not known is refused.</summary>
    public const string Prefix = "replication.k8srepl.dev/";

    /// <summary>
    /// Opt-in, <c>"true"</c> or <c>"false"</c>. As a label it is what the webhook configuration's objectSelector matches
    /// (the API server only sends pods that carry it); as an annotation it is honoured too when the selector lets the pod through.
    /// </summary>
    public const string Inject = Prefix + "inject";

    /// <summary>Annotation: absolute path of the SQLite file inside a volume the app mounts.</summary>
    public const string Database = Prefix + "database";

    /// <summary>
    /// Annotation: the ReplicationMesh the pod joins. Optional when exactly one mesh of the namespace selects the pod;
    /// written by injection either way, so the pod shows which mesh's Secrets it mounts.
    /// </summary>
    public const string Mesh = Prefix + "mesh";

    public static readonly IReadOnlyList<string> KnownAnnotations = [Inject, Database, Mesh];

    /// <summary>Name of the injected container; a pod that already has a container of this name is left alone.</summary>
    public const string ContainerName = "k8srepl-sidecar";

    public const string ConfigVolume = "k8srepl-config";
    public const string TokenVolume = "k8srepl-token";
    public const string TlsVolume = "k8srepl-tls";
    public const string TmpVolume = "k8srepl-tmp";
    public const string RedisVolume = "k8srepl-redis";

    /// <summary>The mesh's ConfigMap (one <c>POD.json</c> per member).</summary>
    public const string ConfigMountPath = "/etc/k8srepl/config";

    /// <summary>The member TLS Secret (Operator mode: <c>ca.crt</c>, <c>POD.crt</c>, <c>POD.key</c>; Secret mode: <c>ca.crt</c>, <c>tls.crt</c>, <c>tls.key</c>).</summary>
    public const string TlsMountPath = "/etc/k8srepl/tls";

    /// <summary>Where the Redis password Secret is mounted (key <c>password</c>).</summary>
    public const string RedisMountPath = "/etc/k8srepl/redis";

    /// <summary>The mesh's token Secret, key <c>token</c> only.</summary>
    public const string TokenMountPath = "/var/run/secrets/k8srepl";
}
