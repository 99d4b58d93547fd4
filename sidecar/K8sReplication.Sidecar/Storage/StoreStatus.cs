namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// What status and metrics show about the store without touching it: the cached figures (<see cref="StoreSnapshot"/>)
/// and the problems of the latest capture install. The engine fills both at start, the fold loop keeps them current.
/// </summary>
internal sealed partial class StoreStatus(ILogger<StoreStatus> logger)
{
    private readonly Lock _gate = new();
    private IReadOnlyList<string> _installErrors = [];
    private HashSet<string> _installProblems = new(StringComparer.Ordinal);
    private StoreSnapshot _snapshot = StoreSnapshot.Empty;

    public StoreSnapshot Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>Errors of the latest install report (tables that cannot be replicated).</summary>
    public IReadOnlyList<string> InstallErrors
    {
        get
        {
            lock (_gate)
            {
                return _installErrors;
            }
        }
    }

    /// <summary>
    /// Re-reads the cached store figures (the fold loop calls this periodically, with the capture log's head as its
    /// commit watcher last saw it; without one it is read here).
    /// </summary>
    public void Refresh(ReplicaStore store, long? captureHead = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        var (rows, tombstones) = store.Counts();
        var (databaseBytes, walBytes) = store.FileSizes();
        var backlog = Math.Max(0, (captureHead ?? store.CaptureHead()) - store.MaxSeq);
        Volatile.Write(ref _snapshot, new StoreSnapshot(rows, tombstones, Convert.ToHexStringLower(store.Merkle.Root), store.SchemaHashes,
            databaseBytes, walBytes, backlog));
    }

    /// <summary>
    /// Takes the store's latest install report (at start and after every periodic refresh): its errors replace the
    /// previous ones in /v1/status, so a table created later without a primary key shows up there and a fixed one
    /// disappears; a problem (error or warning) is logged when it first appears, not on every refresh.
    /// </summary>
    public void OnInstallReport(InstallReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var problems = new HashSet<string>(report.Errors.Concat(report.Warnings), StringComparer.Ordinal);
        lock (_gate)
        {
            _installErrors = [.. report.Errors];
            foreach (var problem in report.Errors.Concat(report.Warnings).Where(p => !_installProblems.Contains(p)))
            {
                LogInstallProblem(logger, problem);
            }

            _installProblems = problems;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Capture install: {Problem}")]
    private static partial void LogInstallProblem(ILogger logger, string problem);
}
