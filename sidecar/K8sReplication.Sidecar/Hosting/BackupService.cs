using K8sReplication.Sidecar.Backup;
using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Metrics;
using K8sReplication.Sidecar.Resilience;
using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Sidecar.Hosting;

/// <summary>
/// Runs continuous backup while one is configured (docs/backup.md): every <c>backup.interval</c> an archive round
/// (<see cref="Archiver.ArchiveAsync"/>), then a base snapshot when one is due and this member wins the period's
/// claim, then retention. A failure never touches replication: it is recorded (status <c>backup.lastError</c>,
/// <c>replication_backup_uploads_total{outcome="error"}</c>) and the round is retried with jittered backoff up to
/// <see cref="MaxBackoff"/>; what was not archived waits in the database (deletes included: tombstone collection keeps
/// them until they are archived). A changed backup setting starts over with the new archive.
/// </summary>
internal sealed partial class BackupService(StoreAccess replica, LiveConfig config, SidecarMetrics metrics, TimeProvider time, ILogger<BackupService> logger)
    : BackgroundService
{
    /// <summary>Longest wait between two attempts while the archive fails.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(2);

    /// <summary>How often the settings are looked at while no backup is configured.</summary>
    private static readonly TimeSpan IdleCheck = TimeSpan.FromSeconds(1);

    private BackupSettings? settings;
    private IRemoteStore? remote;
    private Archiver? archiver;
    private JitteredBackoff backoff = new(TimeSpan.FromSeconds(1), MaxBackoff);
    private DateTimeOffset nextAttempt;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!replica.TryGet(out var store))
        {
            return;
        }

        metrics.ObserveBackup(
            () => store.Backup.Read() is { LastSuccessAt: { } at } ? at.ToUnixTimeMilliseconds() / 1000.0 : null,
            () => store.Backup.Read()?.Pending);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await RoundAsync(store, stoppingToken);
                await Task.Delay(settings?.Interval ?? IdleCheck, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            remote?.Dispose();
        }
    }

    /// <summary>One round: follows the settings, archives when the backoff allows, and refreshes the pending count.</summary>
    public async Task RoundAsync(ReplicaStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var wanted = config.Current.Backup;
        if (wanted != settings)
        {
            remote?.Dispose();
            (settings, remote, archiver) = (wanted, null, null);
            backoff = new JitteredBackoff(wanted?.Interval ?? TimeSpan.FromSeconds(1), MaxBackoff);
            nextAttempt = DateTimeOffset.MinValue;
            store.Backup.Configure(wanted?.Location.Url);
            if (wanted is not null)
            {
                LogConfigured(logger, wanted.Location.Url, wanted.Interval, wanted.SnapshotInterval, wanted.Retention);
            }
        }

        if (settings is null)
        {
            return;
        }

        if (time.GetUtcNow() >= nextAttempt)
        {
            await AttemptAsync(store, settings, cancellationToken);
        }

        try
        {
            store.Backup.Pending(archiver?.Pending() ?? store.CountLocalAfter(store.Backup.HoldsBackAt ?? 0));
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            LogPendingFailed(logger, e.Message);
        }
    }

    private async Task AttemptAsync(ReplicaStore store, BackupSettings current, CancellationToken cancellationToken)
    {
        var kind = "segment";
        try
        {
            remote ??= RemoteStores.Open(current.Location.Url, current.Endpoint, current.Credentials);
            if (archiver is null)
            {
                archiver = new Archiver(store, remote, current, time);
                archiver.Uploaded += (uploadedKind, bytes) =>
                {
                    metrics.BackupUploads.WithLabels(uploadedKind, "ok").Inc();
                    metrics.BackupBytes.Inc(bytes);
                };
            }

            await archiver.ArchiveAsync(cancellationToken);
            store.Backup.Succeeded(time.GetUtcNow());
            kind = "snapshot";
            if (await archiver.SnapshotIfDueAsync(cancellationToken))
            {
                LogSnapshot(logger, current.Location.Url);
                kind = "retention";
                var deleted = await archiver.ApplyRetentionAsync(cancellationToken);
                if (deleted > 0)
                {
                    LogRetention(logger, deleted);
                }
            }

            backoff.Reset();
            nextAttempt = DateTimeOffset.MinValue;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var message = $"{kind}: {e.Message}";
            store.Backup.Failed(message);
            metrics.BackupUploads.WithLabels(kind, "error").Inc();
            var wait = backoff.Next();
            nextAttempt = time.GetUtcNow() + wait;
            LogFailed(logger, current.Location.Url, message, wait);
            if (e is not RemoteStoreException and not IOException and not OperationCanceledException)
            {
                // Not the store's fault: start over with a fresh archiver (it reads its position again).
                archiver = null;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Backup to {Url}: changes every {Interval}, snapshots every {SnapshotInterval}, kept {Retention}")]
    private static partial void LogConfigured(ILogger logger, string url, TimeSpan interval, TimeSpan snapshotInterval, TimeSpan retention);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backup: base snapshot written to {Url}")]
    private static partial void LogSnapshot(ILogger logger, string url);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backup retention: {Deleted} objects no restore point needs were deleted")]
    private static partial void LogRetention(ILogger logger, int deleted);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup to {Url} failed ({Error}); retrying in {Wait}. Replication is not affected.")]
    private static partial void LogFailed(ILogger logger, string url, string error, TimeSpan wait);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Backup: could not count the changes waiting: {Error}")]
    private static partial void LogPendingFailed(ILogger logger, string error);
}
