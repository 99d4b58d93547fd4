namespace K8sReplication.Sidecar.Storage;

/// <summary>A page of the change feed.</summary>
/// <param name="Changes">Entries in seq order.</param>
/// <param name="LastSeq">Seq of the last entry returned (the afterSeq asked for when empty): the reader's next cursor.</param>
/// <param name="MaxSeq">Highest seq in the store at the snapshot; MaxSeq - LastSeq bounds the lag.</param>
internal sealed record ChangeBatch(IReadOnlyList<Change> Changes, long LastSeq, long MaxSeq);
