using K8sReplication.Contracts.Health;
using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Sidecar.Engine;

/// <summary>
/// The replica's lifecycle: opens the store (Starting), publishes it through <see cref="StoreAccess"/>, then publishes
/// Running and lets the peer loops and the fold loop run. Start never waits for peers. Holds the lifecycle state
/// (state, start time, start errors) that probes and status read; the loops get what they need injected, not from here.
/// </summary>
internal sealed partial class ReplicationEngine(
    LiveConfig config,
    EngineStateMachine stateMachine,
    StoreAccess replica,
    StoreStatus status,
    ChangeSignal signal,
    TimeProvider time,
    ILogger<ReplicationEngine> logger) : IHostedService, IDisposable
{
    private readonly List<string> _errors = [];

    public EngineState State => stateMachine.State;

    public DateTimeOffset? StartedAt { get; private set; }

    /// <summary>Start errors, then the errors of the latest capture install.</summary>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_errors)
            {
                return [.. _errors, .. status.InstallErrors];
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        stateMachine.MoveTo(EngineState.Starting);
        var settings = config.Current;
        ReplicaStore store;
        try
        {
            store = ReplicaStore.Open(new ReplicaStoreOptions
            {
                DatabasePath = settings.Database,
                Tables = settings.Tables,
                MaxClockSkew = settings.MaxClockSkew,
                TimeProvider = time,
            });

            // In force before any loop applies a batch; the conflict-log pruner keeps it current on config changes.
            store.ConflictRetention = new ConflictRetention(settings.ConflictMaxAge, settings.ConflictMaxEntries);
            replica.Publish(store);
            status.OnInstallReport(store.Install);
            status.Refresh(store);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            lock (_errors)
            {
                _errors.Add("start failed: " + e.Message);
            }

            stateMachine.MoveTo(EngineState.Failed);
            LogStartFailed(logger, settings.Database, e);
            throw new InvalidOperationException($"cannot open the replica at '{settings.Database}': {e.Message}", e);
        }

        StartedAt = time.GetUtcNow();
        stateMachine.MoveTo(EngineState.Running);
        LogStarted(logger, store.Site, settings.NodeName, settings.Database);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        stateMachine.TryMoveTo(EngineState.ShuttingDown);

        // Wake long-polls so they answer now instead of at their deadline.
        signal.Notify();
        return Task.CompletedTask;
    }

    /// <summary>Final step of shutdown, after every loop stopped: close the database.</summary>
    public void Close()
    {
        var store = replica.Take();
        store?.Dispose();
        stateMachine.TryMoveTo(EngineState.Stopped);
    }

    public void Dispose() => Close();

    [LoggerMessage(Level = LogLevel.Information, Message = "Replica open: site {Site}, node {Node}, database {Database}")]
    private static partial void LogStarted(ILogger logger, SiteId site, string node, string database);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Cannot open the replica at {Database}")]
    private static partial void LogStartFailed(ILogger logger, string database, Exception exception);
}
