using System.Text.Json.Serialization;
using K8sReplication.Contracts.Wire;

namespace K8sReplication.Contracts.Conflicts;

/// <summary>The discarded version of a conflict-log entry.</summary>
public sealed record ConflictLoser
{
    /// <summary>Version HLC.</summary>
    public long Hlc { get; init; }

    /// <summary>Site id of the member that wrote it (32 hex digits).</summary>
    public string Site { get; init; } = "";

    /// <summary>
    /// Every column of the discarded row in table column order, typed as in <see cref="WireValueListConverter"/>;
    /// <c>null</c> (written, not omitted) when the discarded write was a delete.
    /// </summary>
    [JsonConverter(typeof(WireValueListConverter))]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public IReadOnlyList<object?>? Values { get; init; }
}
