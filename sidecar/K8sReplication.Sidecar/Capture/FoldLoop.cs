using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Resilience;
using K8sReplication.Sidecar.Storage;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Capture;

/// <summary>
/// Folds the capture log into row versions and refreshes the cached store figures for status and metrics. Its
/// <see cref="CommitWatcher"/> detects app commits (<c>PRAGMA data_version</c>, a cheap local read, on a thread of its
/// own at the pace <see cref="FoldPacer"/> sets) and wakes the change feed, which serves captures straight from the log,
/// so a write reaches peers without waiting for the fold; the fold, the only step that takes SQLite's single write lock
/// from the app, runs when <see cref="FoldPolicy"/> says the app can spare it.
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
    private static readonly TimeSpan RefreshIntervalMax = TimeSpan.FromSeconds(60);

    /// <summary>How often the loop decides whether to fold (its thresholds are tens of milliseconds and more).</summary>
    private static readonly TimeSpan DecideInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>A feed read this recent that stopped short of the log's head means a peer is catching up.</summary>
    private static readonly TimeSpan ReaderBehindWindow = TimeSpan.FromMilliseconds(200);

    /// <summary>The same with nothing pending: only the snapshot and refresh timers need the loop then.</summary>
    private static readonly TimeSpan IdleInterval = TimeSpan.FromMilliseconds(100);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!replica.TryGet(out var store))
        {
            return;
        }

        var watcher = new CommitWatcher(store, signal, time, logger);
        watcher.Start(stoppingToken);
        var lastSnapshot = time.GetTimestamp();
        var lastRefresh = time.GetTimestamp();
        var backoff = new JitteredBackoff(SidecarDefaults.BackoffInitial, SidecarDefaults.BackoffMax);
        var policy = new FoldPolicy();
        if (store.HasPendingCaptures())
        {
            policy.Pending(time.GetTimestamp());
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // The watcher wakes the feed; this loop only decides, at its coarser pace, whether to fold.
                var captured = watcher.TakeCaptured();
                var schemaMoved = watcher.TakeSchemaMoved();
                if (watcher.TakeCommitted())
                {
                    databaseCircuit.RecordSuccess();
                }

                policy.Observe(captured, time.GetTimestamp(), time);
                var step = policy.Next(watcher.Head - store.MaxSeq, time.GetTimestamp(), time, store.FeedReaderBehindWithin(ReaderBehindWindow));
                if (store.TakeFoldRequest() && step == FoldStep.Wait)
                {
                    // Readers wait at a capture only the fold can interpret: fold a slice now if the lock is free.
                    step = FoldStep.Slice;
                }

                // While the WAL is let start over (see CheckpointLoop), this member neither reads nor writes.
                if (step != FoldStep.Wait && !store.Readers.Paused)
                {
                    if (!await FoldAsync(store, step, stoppingToken))
                    {
                        policy.LockTaken(time.GetTimestamp());
                    }
                    else
                    {
                        policy.Folded(store.HasPendingCaptures(), time.GetTimestamp());
                    }
                }

                // The periodic refresh (a safety net) waits for a pause in the app's writes, up to a limit.
                var sinceRefresh = time.GetElapsedTime(lastRefresh);
                if (schemaMoved || (sinceRefresh > RefreshInterval && !policy.AppWriting(time.GetTimestamp(), time)) || sinceRefresh > RefreshIntervalMax)
                {
                    // The refresh folds what is pending in its one transaction: fold it in slices first.
                    await FoldAsync(store, FoldStep.AllYielding, stoppingToken);
                    policy.Folded(false, time.GetTimestamp());

                    // New tables created by the app get capture triggers without a restart: at once when the schema
                    // cookie moved, and periodically as a safety net.
                    status.OnInstallReport(store.Refresh());
                    lastRefresh = time.GetTimestamp();
                }

                if (time.GetElapsedTime(lastSnapshot) > SnapshotInterval)
                {
                    status.Refresh(store, watcher.Head);
                    lastSnapshot = time.GetTimestamp();
                }

                backoff.Reset();
                await Task.Delay(policy.Idle ? IdleInterval : DecideInterval, time, stoppingToken);
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

    /// <summary>
    /// Folds one slice of <see cref="ReplicaStore.FoldSliceEntries"/> captures, or all pending ones slice after slice
    /// (each its own short write transaction), with a pause after each slice when the app keeps writing.
    /// </summary>
    /// <returns>False when it stopped because the app held the write lock.</returns>
    private async Task<bool> FoldAsync(ReplicaStore store, FoldStep step, CancellationToken stoppingToken)
    {
        // Only a fold the backlog forces waits for the lock; otherwise the app holding it (mid-transaction, perhaps
        // a long one that made it look quiet) means it is not paused after all.
        var wait = step == FoldStep.AllYielding;
        int n;
        while ((n = await FoldSliceAsync(store, wait, stoppingToken)) > 0 || (n == 0 && store.HasPendingCaptures()))
        {
            if (n > 0)
            {
                signal.Notify();
            }

            if (step == FoldStep.Slice)
            {
                return true;
            }

            if (step == FoldStep.AllYielding)
            {
                await Task.Delay(SidecarDefaults.FoldSlicePause, time, stoppingToken);
            }
        }

        return n >= 0;
    }

    /// <summary>One slice, once any pause for the WAL to start over is done (see CheckpointLoop).</summary>
    private async Task<int> FoldSliceAsync(ReplicaStore store, bool waitForLock, CancellationToken stoppingToken)
    {
        while (store.Readers.Paused)
        {
            await Task.Delay(SidecarDefaults.FoldPollInterval, time, stoppingToken);
        }

        return store.Fold(ReplicaStore.FoldSliceEntries, onlyIfLockFree: !waitForLock);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fold failed (SQLite error {Code}): {Error}")]
    private static partial void LogFoldFailed(ILogger logger, int code, string error);
}
