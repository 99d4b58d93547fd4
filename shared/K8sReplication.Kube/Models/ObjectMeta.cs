using System.Text.Json.Serialization;
using K8sReplication.Kube.Json;

namespace K8sReplication.Kube.Models;

/// <summary>
/// The metadata fields we use. Unknown fields (managedFields, selfLink, ...) are dropped on read, so a Replace of an
/// object read through this type never sends managedFields back.
/// </summary>
public sealed class ObjectMeta
{
    public string? Name { get; set; }

    public string? GenerateName { get; set; }

    public string? Namespace { get; set; }

    public string? Uid { get; set; }

    public string? ResourceVersion { get; set; }

    public long? Generation { get; set; }

    [JsonConverter(typeof(KubeTimeConverter))]
    public DateTimeOffset? CreationTimestamp { get; set; }

    [JsonConverter(typeof(KubeTimeConverter))]
    public DateTimeOffset? DeletionTimestamp { get; set; }

    public long? DeletionGracePeriodSeconds { get; set; }

    public IDictionary<string, string>? Labels { get; set; }

    public IDictionary<string, string>? Annotations { get; set; }

    public IList<OwnerReference>? OwnerReferences { get; set; }

    public IList<string>? Finalizers { get; set; }
}
