using System.ComponentModel;

namespace K8sReplication.Contracts.Mesh;

/// <summary>Standard Kubernetes label selector; the requirements are ANDed.</summary>
[Description("A standard Kubernetes label selector; matchLabels and matchExpressions are ANDed.")]
public sealed record LabelSelector
{
    /// <summary>Exact label matches.</summary>
    [Description("Labels a member pod must carry with exactly these values.")]
    public IReadOnlyDictionary<string, string>? MatchLabels { get; init; }

    /// <summary>Set-based requirements.</summary>
    [Description("Set-based requirements (In, NotIn, Exists, DoesNotExist).")]
    public IReadOnlyList<LabelSelectorRequirement>? MatchExpressions { get; init; }
}
