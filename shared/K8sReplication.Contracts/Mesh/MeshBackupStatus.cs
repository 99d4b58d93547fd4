using System.ComponentModel;

namespace K8sReplication.Contracts.Mesh;

/// <summary>Observed state of the mesh's continuous backup.</summary>
public sealed record MeshBackupStatus
{
    /// <summary>The oldest last successful archive round of the members that report a backup.</summary>
    [Description("Oldest last successful archive round across the members that report a backup: the mesh is archived at least up to about this time.")]
    public DateTimeOffset? LastSuccessTime { get; init; }
}
