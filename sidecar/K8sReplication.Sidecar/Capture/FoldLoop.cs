using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Resilience;
using K8sReplication.Sidecar.Storage;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Capture;

/// <summary>
/// Folds the capture log into row versions as app writes arrive, wakes feed readers, and refreshes the cached store
/// figures for status and metrics. App writes are detected with <c>PRAGMA data_version</c> (a cheap local read),
/// polled at the pace <see cref="FoldPacer"/> sets from what the last checks found.
/// </summary>
internal sealed partial class FoldLoop(
    StoreAccess replica,
    ChangeSignal signal,
    DatabaseCircuit databaseCircuit,
    StoreStatus status,
    TimeProvider time,
    ILogger<FoldLoop> logger) : BackgroundService
{
    private static readonly TimeSpan SnapshotInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!replica.TryGet(out var store))
        {
            return;
        }

        var pacer = new FoldPacer();
        var lastSnapshot = time.GetTimestamp();
        var lastRefresh = time.GetTimestamp();
        var backoff = new JitteredBackoff(SidecarDefaults.BackoffInitial, SidecarDefaults.BackoffMax);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var folded = 0;
                var schemaMoved = false;
                if (store.HasExternalChanges())
                {
                    int n;
                    while ((n = store.Fold()) > 0 || store.HasPendingCaptures())
                    {
                        if (n > 0)
                        {
                            folded += n;
                            signal.Notify();
                        }
                    }

                    // The app's DDL is a commit too: look at the schema cookie only when something was committed.
                    schemaMoved = store.SchemaChangedSinceRefresh();
                    databaseCircuit.RecordSuccess();
                }

                if (schemaMoved || time.GetElapsedTime(lastRefresh) > RefreshInterval)
                {
                    // New tables created by the app get capture triggers without a restart: at once when the schema
                    // cookie moved, and periodically as a safety net.
                    status.OnInstallReport(store.Refresh());
                    lastRefresh = time.GetTimestamp();
                }

                if (time.GetElapsedTime(lastSnapshot) > SnapshotInterval)
                {
                    status.Refresh(store);
                    lastSnapshot = time.GetTimestamp();
                }

                backoff.Reset();
                await Task.Delay(pacer.Next(folded, time.GetTimestamp(), time), time, stoppingToken);
            }
            catch (SqliteException e)
            {
                if (DatabaseCircuit.IsDatabaseFault(e))
                {
                    databaseCircuit.RecordFailure();
                }

                LogFoldFailed(logger, e.SqliteErrorCode, e.Message);
                await Task.Delay(backoff.Next(), time, stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fold failed (SQLite error {Code}): {Error}")]
    private static partial void LogFoldFailed(ILogger logger, int code, string error);
}
