namespace K8sReplication.Contracts.Conflicts;

/// <summary>
/// Answer of <c>GET /v1/conflicts?table=T&amp;since=RFC3339&amp;limit=N</c> on the admin port: entries of the conflict
/// log, oldest first.
/// </summary>
public sealed record ConflictsResponse
{
    /// <summary>The entries, oldest first.</summary>
    public IReadOnlyList<ConflictRecord> Conflicts { get; init; } = [];
}
