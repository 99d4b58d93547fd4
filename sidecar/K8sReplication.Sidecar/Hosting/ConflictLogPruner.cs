using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Storage;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Hosting;

/// <summary>
/// Keeps the conflict log within <c>conflictRetention</c>: puts the retention in force whenever the settings change,
/// and prunes at start and every <see cref="Interval"/>. Recording an entry already trims the log to
/// <c>maxEntries</c>; the periodic prune is what removes entries past <c>maxAge</c> when no new conflict comes, and
/// what applies a lowered limit without waiting for one.
/// </summary>
internal sealed partial class ConflictLogPruner(StoreAccess replica, LiveConfig config, TimeProvider time, ILogger<ConflictLogPruner> logger)
    : BackgroundService
{
    /// <summary>Time between two prunes.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();

    /// <summary>The store's retention for <paramref name="settings"/>.</summary>
    public static ConflictRetention RetentionOf(SidecarSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new ConflictRetention(settings.ConflictMaxAge, settings.ConflictMaxEntries);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!replica.TryGet(out var store))
        {
            return;
        }

        // Each application reads the settings in force under one lock, so a push racing this start cannot leave an
        // older retention in force after a newer one.
        void Apply(SidecarSettings _)
        {
            lock (_gate)
            {
                store.ConflictRetention = RetentionOf(config.Current);
            }
        }

        config.Changed += Apply;
        try
        {
            Apply(config.Current);
            using var timer = new PeriodicTimer(Interval, time);
            do
            {
                Prune(store);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            config.Changed -= Apply;
        }
    }

    private void Prune(ReplicaStore store)
    {
        try
        {
            var removed = store.PruneConflicts();
            if (removed > 0)
            {
                LogPruned(logger, removed);
            }
        }
        catch (SqliteException e)
        {
            // The next tick tries again; entries kept a minute longer harm nothing.
            LogPruneFailed(logger, e.SqliteErrorCode, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Conflict log pruned: {Removed} entries past the retention removed")]
    private static partial void LogPruned(ILogger logger, int removed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Conflict log prune failed (SQLite error {Code}): {Error}")]
    private static partial void LogPruneFailed(ILogger logger, int code, string error);
}
