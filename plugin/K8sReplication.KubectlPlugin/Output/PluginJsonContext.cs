using System.Text.Json;
using System.Text.Json.Serialization;
using K8sReplication.KubectlPlugin.Conflicts;
using K8sReplication.KubectlPlugin.Diff;
using K8sReplication.KubectlPlugin.Resync;
using K8sReplication.KubectlPlugin.Status;

namespace K8sReplication.KubectlPlugin.Output;

/// <summary>Source-generated JSON for <c>-o json|yaml</c> (camelCase, nulls omitted, indented).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(StatusReport))]
[JsonSerializable(typeof(IReadOnlyList<MemberConflict>))]
[JsonSerializable(typeof(DiffReport))]
[JsonSerializable(typeof(IReadOnlyList<PeerRound>))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(double))]
internal sealed partial class PluginJsonContext : JsonSerializerContext;
