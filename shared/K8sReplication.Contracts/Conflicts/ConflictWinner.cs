namespace K8sReplication.Contracts.Conflicts;

/// <summary>The winning version of a conflict-log entry.</summary>
public sealed record ConflictWinner
{
    /// <summary>Version HLC.</summary>
    public long Hlc { get; init; }

    /// <summary>Site id of the member that wrote it (32 hex digits).</summary>
    public string Site { get; init; } = "";
}
