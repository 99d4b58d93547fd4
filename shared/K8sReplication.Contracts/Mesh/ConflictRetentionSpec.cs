using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using K8sReplication.Contracts.Config;

namespace K8sReplication.Contracts.Mesh;

/// <summary>How long and how many conflict-log entries each member keeps.</summary>
public sealed record ConflictRetentionSpec
{
    /// <summary>Age after which an entry is deleted.</summary>
    [RegularExpression(DurationPattern.Regex)]
    [DefaultValue(ConflictRetentionConfig.DefaultMaxAge)]
    [Description("Conflict-log entries older than this are deleted (1m to 87600h), e.g. 168h.")]
    public string? MaxAge { get; init; }

    /// <summary>Number of newest entries kept.</summary>
    [Range(1, ConflictRetentionConfig.MaxMaxEntries)]
    [DefaultValue(ConflictRetentionConfig.DefaultMaxEntries)]
    [Description("Only the newest this many conflict-log entries are kept on each member.")]
    public int? MaxEntries { get; init; }
}
