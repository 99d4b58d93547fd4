namespace K8sReplication.TestKit.Kube.Protobuf;

/// <summary>
/// Field numbers (from Kubernetes' generated.proto) of the few kinds typed clients send as protobuf that our tools
/// create: Secret and ConfigMap (helm release storage, <c>kubectl create secret/configmap</c>), Namespace and
/// ServiceAccount (<c>kubectl create namespace/serviceaccount</c>), and DeleteOptions (typed deletes).
/// </summary>
internal static class ProtoSchemas
{
    private static readonly Dictionary<int, ProtoField> OwnerReference = new()
    {
        [1] = new("kind", ProtoKind.String),
        [3] = new("name", ProtoKind.String),
        [4] = new("uid", ProtoKind.String),
        [5] = new("apiVersion", ProtoKind.String),
        [6] = new("controller", ProtoKind.Bool),
        [7] = new("blockOwnerDeletion", ProtoKind.Bool),
    };

    private static readonly Dictionary<int, ProtoField> ObjectMeta = new()
    {
        [1] = new("name", ProtoKind.String),
        [2] = new("generateName", ProtoKind.String),
        [3] = new("namespace", ProtoKind.String),
        [5] = new("uid", ProtoKind.String),
        [6] = new("resourceVersion", ProtoKind.String),
        [7] = new("generation", ProtoKind.Int64),
        [8] = new("creationTimestamp", ProtoKind.Time),
        [9] = new("deletionTimestamp", ProtoKind.Time),
        [10] = new("deletionGracePeriodSeconds", ProtoKind.Int64),
        [11] = new("labels", ProtoKind.MapStringString),
        [12] = new("annotations", ProtoKind.MapStringString),
        [13] = new("ownerReferences", ProtoKind.RepeatedMessage, OwnerReference),
        [14] = new("finalizers", ProtoKind.RepeatedString),
    };

    private static readonly Dictionary<int, ProtoField> LocalObjectReference = new() { [1] = new("name", ProtoKind.String) };

    private static readonly Dictionary<int, ProtoField> DeleteOptions = new()
    {
        [1] = new("gracePeriodSeconds", ProtoKind.Int64),
        [2] = new("preconditions", ProtoKind.Message, new Dictionary<int, ProtoField> { [1] = new("uid", ProtoKind.String), [2] = new("resourceVersion", ProtoKind.String) }),
        [3] = new("orphanDependents", ProtoKind.Bool),
        [4] = new("propagationPolicy", ProtoKind.String),
        [5] = new("dryRun", ProtoKind.RepeatedString),
    };

    public static IReadOnlyDictionary<string, IReadOnlyDictionary<int, ProtoField>> ByKind { get; } = new Dictionary<string, IReadOnlyDictionary<int, ProtoField>>
    {
        ["v1/DeleteOptions"] = DeleteOptions,
        ["meta.k8s.io/v1/DeleteOptions"] = DeleteOptions,
        ["v1/Secret"] = new Dictionary<int, ProtoField>
        {
            [1] = new("metadata", ProtoKind.Message, ObjectMeta),
            [2] = new("data", ProtoKind.MapStringBytes),
            [3] = new("type", ProtoKind.String),
            [4] = new("stringData", ProtoKind.MapStringString),
            [5] = new("immutable", ProtoKind.Bool),
        },
        ["v1/ConfigMap"] = new Dictionary<int, ProtoField>
        {
            [1] = new("metadata", ProtoKind.Message, ObjectMeta),
            [2] = new("data", ProtoKind.MapStringString),
            [3] = new("binaryData", ProtoKind.MapStringBytes),
            [4] = new("immutable", ProtoKind.Bool),
        },
        ["v1/Namespace"] = new Dictionary<int, ProtoField>
        {
            [1] = new("metadata", ProtoKind.Message, ObjectMeta),
            [2] = new("spec", ProtoKind.Message, new Dictionary<int, ProtoField> { [1] = new("finalizers", ProtoKind.RepeatedString) }),
        },
        ["v1/ServiceAccount"] = new Dictionary<int, ProtoField>
        {
            [1] = new("metadata", ProtoKind.Message, ObjectMeta),
            [3] = new("imagePullSecrets", ProtoKind.RepeatedMessage, LocalObjectReference),
            [4] = new("automountServiceAccountToken", ProtoKind.Bool),
        },
    };
}
