using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using K8sReplication.Contracts.Mesh;

namespace K8sReplication.Operator.Mesh;

/// <summary>
/// The ReplicationMesh custom resource as the operator reads and writes it: metadata is the official client's
/// <see cref="V1ObjectMeta"/>, spec and status are the Contracts types, read and written by their own source-generated
/// JSON (the shape the CRD is generated from) whichever serializer handles the object.
/// </summary>
internal sealed class ReplicationMesh : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = MeshApi.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = MeshApi.Kind;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    [JsonConverter(typeof(MeshSpecJsonConverter))]
    public ReplicationMeshSpec? Spec { get; set; }

    [JsonPropertyName("status")]
    [JsonConverter(typeof(MeshStatusJsonConverter))]
    public ReplicationMeshStatus? Status { get; set; }
}
