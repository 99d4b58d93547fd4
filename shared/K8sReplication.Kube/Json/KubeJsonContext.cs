using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using K8sReplication.Kube.Models;

namespace K8sReplication.Kube.Json;

/// <summary>
/// Source-generated JSON metadata for the built-in kinds (AOT-safe). camelCase, nulls omitted on write (so a create or
/// merge patch never sends explicit nulls by accident), unknown members ignored (the API has many we do not model).
/// Custom resources register their <c>KubeObject&lt;TSpec,TStatus&gt;</c> in their own context with the same options.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Pod))]
[JsonSerializable(typeof(ConfigMap))]
[JsonSerializable(typeof(Secret))]
[JsonSerializable(typeof(KubeEvent))]
[JsonSerializable(typeof(Lease))]
[JsonSerializable(typeof(Status))]
[JsonSerializable(typeof(CustomResourceDefinition))]
[JsonSerializable(typeof(GenericObject))]
[JsonSerializable(typeof(ObjectMeta))]
[JsonSerializable(typeof(ListMeta))]
[JsonSerializable(typeof(DeleteOptions))]
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(JsonObject))]
public sealed partial class KubeJsonContext : JsonSerializerContext;
