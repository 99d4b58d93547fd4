using System.Text.Json.Nodes;

namespace K8sReplication.TestKit.Kube.Resources;

/// <summary>
/// A resource served as a view of another resource's storage (events.k8s.io/v1 Events are core v1 Events underneath):
/// bodies are converted on the way in and out, and field selector labels are mapped to the stored fields.
/// </summary>
internal interface IStorageConversion
{
    string StorageGroup { get; }

    string StorageVersion { get; }

    string StoragePlural { get; }

    JsonObject ToStorage(JsonObject served);

    JsonObject FromStorage(JsonObject stored);

    /// <summary>The stored field a served field selector label selects; null for a label the real server rejects.</summary>
    string? StorageFieldLabel(string servedLabel);
}
