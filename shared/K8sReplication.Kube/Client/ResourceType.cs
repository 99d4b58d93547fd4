using System.Text.Json.Serialization.Metadata;
using K8sReplication.Kube.Models;

namespace K8sReplication.Kube.Client;

/// <summary>
/// Describes one REST resource: where it lives (group/version/plural, namespaced or cluster-scoped), its kind, and the
/// source-generated JSON metadata for its object type. Built-ins are in <see cref="ResourceTypes"/>; a custom resource
/// declares its own, e.g. <c>new ResourceType&lt;Mesh&gt;("replication.k8srepl.dev", "v1alpha1", "replicationmeshes",
/// "ReplicationMesh", namespaced: true, MyJsonContext.Default.Mesh)</c>.
/// </summary>
public sealed class ResourceType<T>
    where T : class, IKubeObject
{
    public ResourceType(string group, string version, string plural, string kind, bool namespaced, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        ArgumentException.ThrowIfNullOrWhiteSpace(plural);
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentNullException.ThrowIfNull(typeInfo);
        Group = group;
        Version = version;
        Plural = plural;
        Kind = kind;
        Namespaced = namespaced;
        TypeInfo = typeInfo;
        ApiVersion = group.Length == 0 ? version : group + "/" + version;
        _prefix = group.Length == 0 ? "/api/" + version : "/apis/" + group + "/" + version;
    }

    private readonly string _prefix;

    /// <summary>API group; empty for the core group.</summary>
    public string Group { get; }

    public string Version { get; }

    public string Plural { get; }

    public string Kind { get; }

    public bool Namespaced { get; }

    public JsonTypeInfo<T> TypeInfo { get; }

    /// <summary>"v1" for core, else "group/version".</summary>
    public string ApiVersion { get; }

    /// <summary>Collection path, e.g. /api/v1/namespaces/ns/pods or /apis/g/v/plural for cluster-scoped kinds.</summary>
    internal string CollectionPath(string? @namespace)
    {
        if (!Namespaced)
        {
            return _prefix + "/" + Plural;
        }

        ArgumentException.ThrowIfNullOrEmpty(@namespace);
        return _prefix + "/namespaces/" + Uri.EscapeDataString(@namespace) + "/" + Plural;
    }

    internal string ObjectPath(string? @namespace, string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException($"{Kind}: metadata.name is required for this operation", nameof(name));
        }

        return CollectionPath(@namespace) + "/" + Uri.EscapeDataString(name);
    }

    public override string ToString() => Plural + "." + (Group.Length == 0 ? "core" : Group) + "/" + Version;
}
