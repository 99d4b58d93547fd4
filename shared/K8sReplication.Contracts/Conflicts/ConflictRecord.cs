using System.Text.Json.Serialization;
using K8sReplication.Contracts.Wire;

namespace K8sReplication.Contracts.Conflicts;

/// <summary>One local write this member discarded because a concurrent write won, as kept in its conflict log.</summary>
public sealed record ConflictRecord
{
    /// <summary>Table name.</summary>
    public string Table { get; init; } = "";

    /// <summary>Primary-key values in primary-key order, typed as in <see cref="WireValueListConverter"/>.</summary>
    [JsonConverter(typeof(WireValueListConverter))]
    public IReadOnlyList<object?> Key { get; init; } = [];

    /// <summary>Why the write lost: <c>lww</c>, <c>unique</c> or <c>deleted</c>.</summary>
    public string Reason { get; init; } = "";

    /// <summary>The discarded version and its row image.</summary>
    public ConflictLoser Loser { get; init; } = new();

    /// <summary>The version that won.</summary>
    public ConflictWinner Winner { get; init; } = new();

    /// <summary>When this member discarded the write (UTC).</summary>
    public DateTimeOffset At { get; init; }
}
