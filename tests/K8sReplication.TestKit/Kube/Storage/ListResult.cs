using System.Text.Json.Nodes;

namespace K8sReplication.TestKit.Kube.Storage;

/// <summary>One page of a list: the items, the list resourceVersion, and the continue token for the next page.</summary>
internal sealed record ListResult(IReadOnlyList<JsonObject> Items, long ResourceVersion, string? Continue, long? RemainingItemCount);
