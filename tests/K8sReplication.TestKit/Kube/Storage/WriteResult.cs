using System.Text.Json.Nodes;

namespace K8sReplication.TestKit.Kube.Storage;

/// <summary>The outcome of a write: the object as stored (or as it was when removed), whether it was created or removed, and warnings.</summary>
internal sealed record WriteResult(JsonObject Object, bool Created, bool Removed, IReadOnlyList<string> Warnings);
