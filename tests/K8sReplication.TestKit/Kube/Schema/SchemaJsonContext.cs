using System.Text.Json.Serialization;

namespace K8sReplication.TestKit.Kube.Schema;

/// <summary>Source-generated JSON for the few scalar values the emulator serializes directly.</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class SchemaJsonContext : JsonSerializerContext;
