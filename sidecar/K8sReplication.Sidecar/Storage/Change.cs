namespace K8sReplication.Sidecar.Storage;

/// <summary>One row change as exchanged between replicas.</summary>
/// <param name="Table">Replicated table name.</param>
/// <param name="Key">KeyCodec-encoded primary key (PK columns in PK order).</param>
/// <param name="Version">The row's version.</param>
/// <param name="Values">All columns in PRAGMA table_info order; null when <see cref="RowVersion.Deleted"/>.</param>
/// <param name="Seq">The sender's local feed position; ignored by ApplyBatch.</param>
internal sealed record Change(string Table, byte[] Key, RowVersion Version, IReadOnlyList<object?>? Values, long Seq)
{
    /// <summary>
    /// The version this write replaced at its writer, skipping the writer's own earlier writes (see BookkeepingSchema);
    /// null for a new row, or when the sender did not say (members of earlier versions, the JSON feed).
    /// </summary>
    public RowVersion? Base { get; init; }
}
