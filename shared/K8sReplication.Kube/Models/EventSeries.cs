using System.Text.Json.Serialization;
using K8sReplication.Kube.Json;

namespace K8sReplication.Kube.Models;

/// <summary>Repeats of an event: how many times and when last seen.</summary>
public sealed class EventSeries
{
    public int Count { get; set; }

    [JsonConverter(typeof(MicroTimeConverter))]
    public DateTimeOffset? LastObservedTime { get; set; }
}
