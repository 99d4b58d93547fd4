using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using K8sReplication.Contracts.Config;

namespace K8sReplication.Contracts.Mesh;

/// <summary>Cold-path (Merkle anti-entropy) settings.</summary>
public sealed record AntiEntropySpec
{
    /// <summary>Time between rounds against one peer.</summary>
    [RegularExpression(DurationPattern.Regex)]
    [DefaultValue(AntiEntropyConfig.DefaultInterval)]
    [Description("Time between anti-entropy rounds against one peer (jittered), e.g. 30s.")]
    public string? Interval { get; init; }

    /// <summary>Largest number of rows repaired per round.</summary>
    [Range(1, 10_000_000)]
    [DefaultValue(AntiEntropyConfig.DefaultBudget)]
    [Description("Largest number of rows one round may repair; the rest waits for the next round.")]
    public int? Budget { get; init; }

    /// <summary>Deadline of one round.</summary>
    [RegularExpression(DurationPattern.Regex)]
    [DefaultValue(AntiEntropyConfig.DefaultTimeout)]
    [Description("Deadline of one anti-entropy round, e.g. 60s.")]
    public string? Timeout { get; init; }
}
