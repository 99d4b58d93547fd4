using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using K8sReplication.Contracts.Config;

namespace K8sReplication.Contracts.Mesh;

/// <summary>Hot-path (change-feed tailing) settings.</summary>
public sealed record HotPathSpec
{
    /// <summary>Largest batch fetched and applied at once.</summary>
    [Range(1, 10_000)]
    [DefaultValue(HotPathConfig.DefaultBatchSize)]
    [Description("Largest number of changes fetched and applied in one transaction.")]
    public int? BatchSize { get; init; }

    /// <summary>Long-poll wait of a change-feed request.</summary>
    [RegularExpression(DurationPattern.Regex)]
    [DefaultValue(HotPathConfig.DefaultWait)]
    [Description("How long a change-feed request waits for new changes before answering empty, e.g. 10s.")]
    public string? Wait { get; init; }
}
