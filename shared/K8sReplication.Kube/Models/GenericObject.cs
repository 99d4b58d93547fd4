using System.Text.Json.Nodes;

namespace K8sReplication.Kube.Models;

/// <summary>An untyped custom object: spec and status as JSON.</summary>
public sealed class GenericObject : KubeObject<JsonObject, JsonObject>;
