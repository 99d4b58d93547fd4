namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// In-memory consequences of one write transaction (Merkle deltas, seq and clock advances, captured count). They are
/// collected while the transaction runs and published only after it commits, so a rollback leaves memory unchanged.
/// </summary>
internal sealed class WriteEffects(long lastSeq, long clock)
{
    public long LastSeq { get; private set; } = lastSeq;

    public long Clock { get; private set; } = clock;

    public long Captured { get; set; }

    /// <summary>Change in the number of live rows (versions that are not tombstones).</summary>
    public long LiveRowsDelta { get; set; }

    public long TombstonesDelta { get; set; }

    public List<(long Bucket, ulong D0, ulong D1)> MerkleDeltas { get; } = [];

    /// <summary>Sites numbered in __repl_sites by this transaction (known to the store only once it commits).</summary>
    public Dictionary<SiteId, long> NewSites { get; } = [];

    /// <summary>Conflict-log entries written by this transaction: table and reason of each.</summary>
    public List<(string Table, string Reason)> ConflictsRecorded { get; } = [];

    public long NextSeq() => ++LastSeq;

    /// <summary>
    /// Makes the next seq <paramref name="seq"/> when that is above every seq handed out so far: a folded capture keeps
    /// the position the change feed already served it at. Below (a capture logged before positions were shared), the
    /// next seq is simply the one after the last.
    /// </summary>
    public void PlaceNextAt(long seq)
    {
        if (seq > LastSeq + 1)
        {
            LastSeq = seq - 1;
        }
    }

    /// <summary>Counts <paramref name="seq"/> as handed out (a log entry that folds into no version).</summary>
    public void Reach(long seq) => LastSeq = Math.Max(LastSeq, seq);

    public void Observe(long hlc) => Clock = Math.Max(Clock, hlc);
}
