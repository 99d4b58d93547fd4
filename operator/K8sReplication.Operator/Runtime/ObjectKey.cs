using k8s;
using k8s.Models;

namespace K8sReplication.Operator.Runtime;

/// <summary>Work-queue and cache keys: <c>namespace/name</c>, or just <c>name</c> for cluster-scoped objects.</summary>
internal static class ObjectKey
{
    public static string Of(IKubernetesObject<V1ObjectMeta> obj) => Of(obj.Metadata.NamespaceProperty, obj.Metadata.Name ?? "");

    public static string Of(string? @namespace, string name) => string.IsNullOrEmpty(@namespace) ? name : @namespace + "/" + name;

    public static (string? Namespace, string Name) Split(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (null, key) : (key[..slash], key[(slash + 1)..]);
    }
}
