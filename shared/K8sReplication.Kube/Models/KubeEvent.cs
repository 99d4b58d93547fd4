using System.Text.Json.Serialization;
using K8sReplication.Kube.Json;

namespace K8sReplication.Kube.Models;

/// <summary>events.k8s.io/v1 Event.</summary>
public sealed class KubeEvent : IKubeObject
{
    public string? ApiVersion { get; set; } = "events.k8s.io/v1";

    public string? Kind { get; set; } = "Event";

    public ObjectMeta Metadata { get; set; } = new();

    [JsonConverter(typeof(MicroTimeConverter))]
    public DateTimeOffset? EventTime { get; set; }

    public EventSeries? Series { get; set; }

    public string? ReportingController { get; set; }

    public string? ReportingInstance { get; set; }

    public string? Action { get; set; }

    public string? Reason { get; set; }

    public ObjectReference? Regarding { get; set; }

    public ObjectReference? Related { get; set; }

    public string? Note { get; set; }

    /// <summary>"Normal" or "Warning".</summary>
    public string? Type { get; set; }
}
