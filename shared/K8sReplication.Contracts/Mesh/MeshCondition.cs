using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace K8sReplication.Contracts.Mesh;

/// <summary>A standard Kubernetes condition (metav1.Condition).</summary>
public sealed record MeshCondition
{
    /// <summary>Condition type (see <see cref="ConditionTypes"/>).</summary>
    [Required]
    [Description("Condition type: Ready, Converged, ConfigApplied, SchemaConsistent or Degraded.")]
    public string Type { get; init; } = "";

    /// <summary>True, False or Unknown.</summary>
    [Required]
    [Description("True, False or Unknown.")]
    public ConditionStatus Status { get; init; }

    /// <summary>CamelCase reason from a closed set.</summary>
    [Required]
    [Description("Machine-readable reason (CamelCase).")]
    public string Reason { get; init; } = "";

    /// <summary>Human-readable detail.</summary>
    [Description("Human-readable detail.")]
    public string? Message { get; init; }

    /// <summary>When the status last changed.</summary>
    [Required]
    [Description("When status last changed.")]
    public DateTimeOffset LastTransitionTime { get; init; }

    /// <summary>Generation the condition was computed for.</summary>
    [Description("metadata.generation the condition was computed for.")]
    public long? ObservedGeneration { get; init; }
}
