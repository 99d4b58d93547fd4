using System.Text.Json.Nodes;

namespace K8sReplication.TestKit.Kube.Storage;

/// <summary>An event queued for one watch stream: ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.</summary>
internal sealed record WatchItem(string Type, JsonObject Object);
