using System.Text.Json.Serialization;

namespace K8sReplication.Contracts.Mesh;

/// <summary>How changes travel between a mesh's members, spelled as the sidecar's <c>--transport</c> spells it.</summary>
public enum HotPathTransport
{
    /// <summary>Each member tails its peers' change feeds over HTTP.</summary>
    [JsonStringEnumMemberName("http")]
    Http = 0,

    /// <summary>Each member appends its own changes to a Redis stream and tails its peers' streams.</summary>
    [JsonStringEnumMemberName("redis")]
    Redis = 1,
}
