using K8sReplication.Contracts.Health;
using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Metrics;
using K8sReplication.Sidecar.Pull;
using K8sReplication.Sidecar.Resilience;
using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Sidecar.Engine;

/// <summary>
/// The running replica: opens the store (Starting), then publishes Running and lets the peer loops and the folder
/// run. Start never waits for peers. Holds the state every probe, status and metric reads.
/// </summary>
internal sealed partial class ReplicationEngine(
    LiveConfig config,
    ChangeSignal signal,
    SidecarMetrics metrics,
    TimeProvider time,
    ILogger<ReplicationEngine> logger) : IHostedService, IDisposable
{
    private readonly List<string> _errors = [];
    private IReadOnlyList<string> _installErrors = [];
    private HashSet<string> _installProblems = new(StringComparer.Ordinal);
    private ReplicaStore? _store;
    private BatchApplier? _applier;
    private StoreSnapshot _snapshot = StoreSnapshot.Empty;

    public EngineStateMachine StateMachine { get; } = new();

    public EngineState State => StateMachine.State;

    public LiveConfig Config => config;

    public ChangeSignal Signal => signal;

    public CircuitBreaker DatabaseCircuit { get; } = new(SidecarDefaults.DatabaseCircuitFailureThreshold, SidecarDefaults.DatabaseCircuitOpenTime, time);

    /// <summary>The store once open; null before (and after a failed start).</summary>
    public ReplicaStore? Store => Volatile.Read(ref _store);

    public BatchApplier? Applier => Volatile.Read(ref _applier);

    public StoreSnapshot Snapshot
    {
        get => Volatile.Read(ref _snapshot);
        set => Volatile.Write(ref _snapshot, value);
    }

    public DateTimeOffset? StartedAt { get; private set; }

    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_errors)
            {
                return [.. _errors, .. _installErrors];
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        StateMachine.MoveTo(EngineState.Starting);
        var settings = config.Current;
        try
        {
            var store = ReplicaStore.Open(new ReplicaStoreOptions
            {
                DatabasePath = settings.Database,
                Tables = settings.Tables,
                MaxClockSkew = settings.MaxClockSkew,
                TimeProvider = time,
            });
            _applier = new BatchApplier(store, DatabaseCircuit, signal, metrics);
            Volatile.Write(ref _store, store);
            OnInstallReport(store.Install);
            RefreshSnapshot();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            lock (_errors)
            {
                _errors.Add("start failed: " + e.Message);
            }

            StateMachine.MoveTo(EngineState.Failed);
            LogStartFailed(logger, settings.Database, e);
            throw new InvalidOperationException($"cannot open the replica at '{settings.Database}': {e.Message}", e);
        }

        StartedAt = time.GetUtcNow();
        StateMachine.MoveTo(EngineState.Running);
        LogStarted(logger, _store.Site, settings.NodeName, settings.Database);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        StateMachine.TryMoveTo(EngineState.ShuttingDown);

        // Wake long-polls so they answer now instead of at their deadline.
        signal.Notify();
        return Task.CompletedTask;
    }

    /// <summary>Re-reads cached store figures (the folder calls this periodically).</summary>
    public void RefreshSnapshot()
    {
        if (Store is not { } store)
        {
            return;
        }

        var (rows, tombstones) = store.Counts();
        Snapshot = new StoreSnapshot(rows, tombstones, Convert.ToHexStringLower(store.Merkle.Root), store.SchemaHashes);
    }

    /// <summary>Final step of shutdown, after every loop stopped: close the database.</summary>
    public void Close()
    {
        var store = Interlocked.Exchange(ref _store, null);
        store?.Dispose();
        StateMachine.TryMoveTo(EngineState.Stopped);
    }

    public void Dispose() => Close();

    [LoggerMessage(Level = LogLevel.Information, Message = "Replica open: site {Site}, node {Node}, database {Database}")]
    private static partial void LogStarted(ILogger logger, SiteId site, string node, string database);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Cannot open the replica at {Database}")]
    private static partial void LogStartFailed(ILogger logger, string database, Exception exception);

    /// <summary>
    /// Takes the store's latest install report (at start and after every periodic refresh): its errors replace the
    /// previous ones in /v1/status, so a table created later without a primary key shows up there and a fixed one
    /// disappears; a problem (error or warning) is logged when it first appears, not on every refresh.
    /// </summary>
    public void OnInstallReport(InstallReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var problems = new HashSet<string>(report.Errors.Concat(report.Warnings), StringComparer.Ordinal);
        lock (_errors)
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
