namespace K8sReplication.Sidecar.Storage;

/// <summary>Store figures cached for status and metrics, so probes and scrapes do no database work.</summary>
internal sealed record StoreSnapshot(long Rows, long Tombstones, string MerkleRoot, IReadOnlyDictionary<string, string> SchemaHashes,
    long DatabaseBytes = 0, long WalBytes = 0, long CaptureBacklog = 0)
{
    public static readonly StoreSnapshot Empty = new(0, 0, "", new Dictionary<string, string>());
}
