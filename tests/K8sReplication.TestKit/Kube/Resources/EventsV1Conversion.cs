using System.Text.Json.Nodes;

namespace K8sReplication.TestKit.Kube.Resources;

/// <summary>
/// events.k8s.io/v1 Events over core v1 Event storage, mapped field for field as kube-apiserver converts them: an Event
/// written through either API is read, listed, watched and selected through both.
/// </summary>
internal sealed class EventsV1Conversion : IStorageConversion
{
    public static EventsV1Conversion Instance { get; } = new();

    /// <summary>events.k8s.io/v1 name and core v1 name of the fields that differ; all others are shared.</summary>
    private static readonly (string EventsV1, string Core)[] Renamed =
    [
        ("regarding", "involvedObject"),
        ("note", "message"),
        ("reportingController", "reportingComponent"),
        ("deprecatedSource", "source"),
        ("deprecatedFirstTimestamp", "firstTimestamp"),
        ("deprecatedLastTimestamp", "lastTimestamp"),
        ("deprecatedCount", "count"),
    ];

    /// <summary>The field labels events.k8s.io/v1 accepts, and the core field each selects.</summary>
    private static readonly Dictionary<string, string> FieldLabels = new(StringComparer.Ordinal)
    {
        ["reason"] = "reason",
        ["regarding.kind"] = "involvedObject.kind",
        ["regarding.namespace"] = "involvedObject.namespace",
        ["regarding.name"] = "involvedObject.name",
        ["regarding.uid"] = "involvedObject.uid",
        ["regarding.apiVersion"] = "involvedObject.apiVersion",
        ["regarding.resourceVersion"] = "involvedObject.resourceVersion",
        ["regarding.fieldPath"] = "involvedObject.fieldPath",
        ["reportingController"] = "reportingComponent",
        ["source"] = "source.component",
        ["type"] = "type",
        ["metadata.namespace"] = "metadata.namespace",
        ["metadata.name"] = "metadata.name",
    };

    private EventsV1Conversion()
    {
    }

    public string StorageGroup => "";

    public string StorageVersion => "v1";

    public string StoragePlural => "events";

    public JsonObject ToStorage(JsonObject served) => Rename(served, Renamed.Select(r => (r.EventsV1, r.Core)));

    public JsonObject FromStorage(JsonObject stored) => Rename(stored, Renamed.Select(r => (r.Core, r.EventsV1)));

    public string? StorageFieldLabel(string servedLabel) => FieldLabels.GetValueOrDefault(servedLabel);

    /// <summary>
    /// A copy with each <c>From</c> field moved to its <c>To</c> name. A <c>To</c> name the source version does not have
    /// is dropped first, as decoding into that version would drop it.
    /// </summary>
    private static JsonObject Rename(JsonObject source, IEnumerable<(string From, string To)> renames)
    {
        var copy = source.DeepClone().AsObject();
        var moves = renames.ToList();
        foreach (var (_, to) in moves)
        {
            copy.Remove(to);
        }

        foreach (var (from, to) in moves)
        {
            if (copy[from] is { } value)
            {
                copy.Remove(from);
                copy[to] = value;
            }
        }

        return copy;
    }
}
