namespace K8sReplication.Sidecar.Storage;

/// <summary>One row change as exchanged between replicas.</summary>
/// <param name="Table">Replicated table name.</param>
/// <param name="Key">KeyCodec-encoded primary key (PK columns in PK order).</param>
/// <param name="Version">The row's version.</param>
/// <param name="Values">All columns in PRAGMA table_info order; null when <see cref="RowVersion.Deleted"/>.</param>
/// <param name="Seq">The sender's local feed position; ignored by ApplyBatch.</param>
internal sealed record Change(string Table, byte[] Key, RowVersion Version, IReadOnlyList<object?>? Values, long Seq);
