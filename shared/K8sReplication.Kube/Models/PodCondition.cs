using System.Text.Json.Serialization;
using K8sReplication.Kube.Json;

namespace K8sReplication.Kube.Models;

public sealed class PodCondition
{
    public string Type { get; set; } = "";

    /// <summary>"True", "False" or "Unknown".</summary>
    public string Status { get; set; } = "";

    public string? Reason { get; set; }

    public string? Message { get; set; }

    [JsonConverter(typeof(KubeTimeConverter))]
    public DateTimeOffset? LastTransitionTime { get; set; }
}
