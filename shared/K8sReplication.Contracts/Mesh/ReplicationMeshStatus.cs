using System.ComponentModel;

namespace K8sReplication.Contracts.Mesh;

/// <summary>Observed state of a ReplicationMesh, written only through the status subresource.</summary>
[Description("Observed state of the mesh, written by the operator.")]
public sealed record ReplicationMeshStatus
{
    /// <summary>Generation the status was computed for.</summary>
    [Description("metadata.generation this status was computed for.")]
    public long? ObservedGeneration { get; init; }

    /// <summary>Summary phase.</summary>
    [Description("Summary: Pending, Running, Degraded, Paused or Terminating.")]
    public string? Phase { get; init; }

    /// <summary>Members.</summary>
    [ListMapKey("pod")]
    [Description("Member pods and their health.")]
    public IReadOnlyList<MeshMember>? Members { get; init; }

    /// <summary>Ready members.</summary>
    [Description("Members whose sidecar reports ready.")]
    public int ReadyMembers { get; init; }

    /// <summary>All members.</summary>
    [Description("Members selected.")]
    public int TotalMembers { get; init; }

    /// <summary>Desired config generation.</summary>
    [Description("Generation of the config the operator wants every member to run.")]
    public long? ConfigGeneration { get; init; }

    /// <summary>Largest member lag, formatted for the printer column.</summary>
    [Description("Largest lag of any member (e.g. 0s, 1.5s).")]
    public string? MaxLag { get; init; }

    /// <summary>Continuous backup; absent when spec.backup is not set.</summary>
    [Description("Continuous backup, when spec.backup is set.")]
    public MeshBackupStatus? Backup { get; init; }

    /// <summary>Conditions.</summary>
    [ListMapKey("type")]
    [Description("Ready, Converged, ConfigApplied, SchemaConsistent, Degraded, and BackupHealthy when spec.backup is set.")]
    public IReadOnlyList<MeshCondition>? Conditions { get; init; }
}
