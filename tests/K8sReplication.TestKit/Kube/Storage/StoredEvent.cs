using System.Text.Json.Nodes;

namespace K8sReplication.TestKit.Kube.Storage;

/// <summary>One committed change, kept in the bounded history for watch resume. Objects are never mutated after commit.</summary>
internal sealed record StoredEvent(long ResourceVersion, string StorageKey, string Type, JsonObject Object, JsonObject? OldObject);
