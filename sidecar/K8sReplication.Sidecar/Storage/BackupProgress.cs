namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// How far this member's continuous backup has come, published by the archiver and read by the status, the metrics and
/// tombstone collection (a delete this member wrote is kept until it is archived: a restore must see it).
/// </summary>
internal sealed class BackupProgress
{
    private readonly Lock gate = new();
    private string? url;
    private long archivedSeq = -1;
    private long pending;
    private DateTimeOffset? lastSuccessAt;
    private DateTimeOffset? lastSnapshotAt;
    private string? lastError;

    /// <summary>The archive's URL while a backup is configured, else null.</summary>
    public string? Url
    {
        get { lock (gate) { return url; } }
    }

    /// <summary>
    /// While a backup is configured: this member's own changes are archived up to this seq (0 until the archiver knows),
    /// so tombstones above it must be kept. Null when no backup is configured.
    /// </summary>
    public long? HoldsBackAt
    {
        get { lock (gate) { return url is null ? null : Math.Max(0, archivedSeq); } }
    }

    /// <summary>A consistent copy of the numbers for the status; null when no backup is configured.</summary>
    public (string Url, long ArchivedSeq, long Pending, DateTimeOffset? LastSuccessAt, DateTimeOffset? LastSnapshotAt, string? LastError)? Read()
    {
        lock (gate)
        {
            return url is null ? null : (url, Math.Max(0, archivedSeq), pending, lastSuccessAt, lastSnapshotAt, lastError);
        }
    }

    /// <summary>A backup to <paramref name="archiveUrl"/> starts (or, with null, stops): the numbers start over.</summary>
    public void Configure(string? archiveUrl)
    {
        lock (gate)
        {
            if (url == archiveUrl)
            {
                return;
            }

            url = archiveUrl;
            archivedSeq = -1;
            pending = 0;
            lastSuccessAt = lastSnapshotAt = null;
            lastError = null;
        }
    }

    public void Archived(long seq)
    {
        lock (gate)
        {
            archivedSeq = Math.Max(archivedSeq, seq);
        }
    }

    public void Pending(long changes)
    {
        lock (gate)
        {
            pending = changes;
        }
    }

    public void Succeeded(DateTimeOffset at)
    {
        lock (gate)
        {
            lastSuccessAt = at;
            lastError = null;
        }
    }

    public void SnapshotTaken(DateTimeOffset at)
    {
        lock (gate)
        {
            lastSnapshotAt = at;
        }
    }

    public void Failed(string error)
    {
        lock (gate)
        {
            lastError = error;
        }
    }
}
