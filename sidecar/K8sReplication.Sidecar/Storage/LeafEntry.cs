namespace K8sReplication.Sidecar.Storage;

/// <summary>One row's version as listed in a Merkle leaf.</summary>
internal sealed record LeafEntry(string Table, byte[] Key, RowVersion Version);
