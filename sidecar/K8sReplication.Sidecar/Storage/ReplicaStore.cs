using K8sReplication.Sidecar.ColdPath;

namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// A SQLite database turned into a replica: capture triggers, row versions, LWW apply, Merkle tree.
/// Thread-safe: one write connection behind a lock; reads use pooled connections (WAL snapshots).
/// </summary>
internal sealed partial class ReplicaStore : IDisposable
{
    private ReplicaStore()
    {
    }

    public static ReplicaStore Open(ReplicaStoreOptions options) => throw new NotImplementedException();

    public SiteId Site { get; private set; }

    public InstallReport Install { get; private set; } = new([], []);

    public IReadOnlyDictionary<string, string> SchemaHashes => throw new NotImplementedException();

    public long MaxSeq => throw new NotImplementedException();

    public long Hlc => throw new NotImplementedException();

    /// <summary>Local app changes folded so far (replication_changes_captured_total).</summary>
    public long CapturedTotal => throw new NotImplementedException();

    public MerkleTree Merkle => throw new NotImplementedException();

    public InstallReport Refresh() => throw new NotImplementedException();

    public bool HasExternalChanges() => throw new NotImplementedException();

    public int Fold(int maxEntries = 10_000) => throw new NotImplementedException();

    public ChangeBatch ReadChanges(long afterSeq, int limit, SiteId? origin = null) => throw new NotImplementedException();

    public IReadOnlyList<Change> ReadRows(string table, IReadOnlyList<byte[]> keys) => throw new NotImplementedException();

    public ApplyResult ApplyBatch(IReadOnlyList<Change> changes, string cursorKey, string cursorValue,
        IReadOnlyDictionary<string, string>? senderSchemaHashes = null) => throw new NotImplementedException();

    public string? ReadCursor(string cursorKey) => throw new NotImplementedException();

    public (long Rows, long Tombstones) Counts() => throw new NotImplementedException();

    public void Dispose()
    {
    }
}
