using K8sReplication.Sidecar.Storage;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Capture;

/// <summary>
/// Checkpoints the WAL every <see cref="Interval"/> when something was committed, on its own connection and thread, so
/// neither the fold nor an applied batch ever pays for a checkpoint inside its commit (see <see cref="WalCheckpointer"/>).
/// </summary>
internal sealed partial class CheckpointLoop(StoreAccess replica, TimeProvider time, ILogger<CheckpointLoop> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!replica.TryGet(out var store))
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, time, stoppingToken);
                store.CheckpointIfWritten();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SqliteException e)
            {
                LogCheckpointFailed(logger, e.SqliteErrorCode, e.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "WAL checkpoint failed (SQLite error {Code}): {Error}")]
    private static partial void LogCheckpointFailed(ILogger logger, int code, string error);
}
