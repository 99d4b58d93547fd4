namespace K8sReplication.Contracts.Wire;

/// <summary>
/// Body of a <c>410 Gone</c> answer to a feed request: the reader's cursor is below changes this member no longer
/// has (it collected tombstones the reader never applied: it was away longer than <c>tombstoneTtl</c>, or not a member
/// then), so the reader must resynchronise before reading on.
/// </summary>
public sealed record StaleReaderResponse
{
    /// <summary>What happened, for a human.</summary>
    public string Error { get; init; } = "";

    /// <summary>The parameter at fault: <c>after</c>.</summary>
    public string? Field { get; init; }

    /// <summary>How far this member has applied the reader's own changes (a seq of the reader's feed); 0 when it never did.</summary>
    public long AppliedYours { get; init; }

    /// <summary>
    /// This member's uncertain mark (an HLC; 0 when none): it collected deletes up to there that some member may never
    /// have applied, and refuses a live row that old it holds no version of. The reader drops, and keeps in its conflict
    /// log, its own writes this member never applied that are that old. Members of earlier versions send none.
    /// </summary>
    public long Uncertain { get; init; }
}
