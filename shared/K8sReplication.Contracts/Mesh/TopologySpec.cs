using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using K8sReplication.Contracts.Config;

namespace K8sReplication.Contracts.Mesh;

/// <summary>How members are connected.</summary>
public sealed record TopologySpec
{
    /// <summary>Default of <see cref="Degree"/>.</summary>
    public const int DefaultDegree = 3;

    /// <summary>FullMesh (default) or Sparse.</summary>
    [DefaultValue(nameof(Config.Topology.FullMesh))]
    [Description("FullMesh: every member tails every other. Sparse: each member tails `degree` peers of a connected, low-diameter graph and forwards changes.")]
    public Topology? Type { get; init; }

    /// <summary>Peers per member in a Sparse topology.</summary>
    [Range(2, 64)]
    [DefaultValue(DefaultDegree)]
    [Description("Peers per member when type is Sparse.")]
    public int? Degree { get; init; }
}
