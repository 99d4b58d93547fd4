using System.Diagnostics;
using K8sReplication.Sidecar.Storage;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Capture;

/// <summary>
/// Keeps the WAL checkpointed just behind the writers, on a thread and connection of its own, so that neither the
/// fold, an applied batch nor the app's own commits pay for copying the WAL into the database (see
/// <see cref="WalCheckpointer"/>). While commits keep coming it checkpoints every <see cref="ActiveInterval"/>; once the
/// database is quiet it backs off to <see cref="QuietInterval"/> (see <see cref="Next"/>), and once nothing has been
/// committed for <see cref="QuietBeforeTruncate"/> it truncates a WAL file a burst left longer than
/// <see cref="TruncateWalBytes"/>. A WAL that passes <see cref="RestartWalBytes"/> while writes go on is let start
/// over (<see cref="LetTheWalStartOver"/>).
/// </summary>
/// <remarks>
/// The app's connections keep SQLite's automatic checkpoint (every 1,000 WAL pages, run inside the commit that crosses
/// the mark: two fsyncs and a copy of every page not yet checkpointed). Checkpointing the WAL every few milliseconds
/// leaves that commit only the last few pages to copy, so the app's write of 5,000 autocommit rows spends about half as
/// long in its own checkpoints.
/// </remarks>
internal sealed partial class CheckpointLoop(StoreAccess replica, ILogger<CheckpointLoop> logger) : BackgroundService
{
    /// <summary>The pace while commits keep coming and the WAL holds <see cref="BusyWalFrames"/> or more.</summary>
    public static readonly TimeSpan ActiveInterval = TimeSpan.FromMilliseconds(5);

    /// <summary>The pace while commits keep coming into a short WAL (far from the app's 1,000-page checkpoint).</summary>
    public static readonly TimeSpan ShortWalInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>WAL length (pages) from which the loop keeps pace with the writers.</summary>
    public const long BusyWalFrames = 512;

    /// <summary>The pace of a quiet database (reached by doubling from <see cref="ActiveInterval"/>).</summary>
    public static readonly TimeSpan QuietInterval = TimeSpan.FromMilliseconds(250);

    private static readonly TimeSpan FailureBackoff = TimeSpan.FromSeconds(1);

    /// <summary>How long nothing must be committed before a long WAL file is truncated.</summary>
    public static readonly TimeSpan QuietBeforeTruncate = TimeSpan.FromSeconds(1);

    /// <summary>A quiet database's WAL file longer than this is truncated (SQLite reuses a WAL file from its start).</summary>
    public const long TruncateWalBytes = 4L * 1024 * 1024;

    /// <summary>A WAL this long during writes gets this member's readers paused so it can start over (see <see cref="ReaderPause"/>).</summary>
    public const long RestartWalBytes = 64L * 1024 * 1024;

    /// <summary>How long readers and this loop's checkpoints pause for a long WAL to start over.</summary>
    public static readonly TimeSpan WalPause = TimeSpan.FromMilliseconds(400);

    /// <summary>Least time between two such pauses.</summary>
    public static readonly TimeSpan BetweenWalPauses = TimeSpan.FromMilliseconds(500);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (replica.TryGet(out var store))
        {
            var thread = new Thread(() => Run(store, stoppingToken)) { IsBackground = true, Name = "k8srepl-checkpoint" };
            thread.Start();
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// The wait after a check that found the WAL <paramref name="walFrames"/> pages long (0: nothing committed since
    /// the last check): keep pace with the writers once the WAL nears the app's checkpoint mark, look in less often
    /// while it is short, and back off by doubling once nothing is committed.
    /// </summary>
    public static TimeSpan Next(TimeSpan last, long walFrames) => walFrames switch
    {
        >= BusyWalFrames => ActiveInterval,
        > 0 => ShortWalInterval,
        _ => TimeSpan.FromTicks(Math.Min(QuietInterval.Ticks, Math.Max(ActiveInterval.Ticks, last.Ticks * 2))),
    };

    private void Run(ReplicaStore store, CancellationToken stopping)
    {
        var wait = QuietInterval;
        var quietFor = TimeSpan.Zero;
        var lastWalPause = 0L;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var (walFrames, _) = store.CheckpointIfWritten();
                var walBytes = store.WalBytesOf(walFrames);
                if (walBytes >= RestartWalBytes && LetTheWalStartOver(store, ref lastWalPause))
                {
                    LogWalPause(logger, walBytes >> 20);
                }

                quietFor = walFrames > 0 ? TimeSpan.Zero : quietFor + wait;
                if (quietFor >= QuietBeforeTruncate && store.TruncateWalIfLonger(TruncateWalBytes))
                {
                    LogWalTruncated(logger);
                }

                wait = Next(wait, walFrames);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SqliteException e)
            {
                LogCheckpointFailed(logger, e.SqliteErrorCode, e.Message);
                wait = FailureBackoff;
            }

            if (stopping.WaitHandle.WaitOne(wait))
            {
                return;
            }
        }
    }

    /// <summary>
    /// Makes a long WAL start over while writes go on. SQLite restarts the WAL only when a writer begins while every
    /// frame has been copied and no reader reads an older snapshot. An app's own checkpoint (inside the commit that
    /// passes 1,000 pages) copies everything and lets its next transaction restart the WAL, but during a burst this
    /// member's feed reads always hold a snapshot, and this loop's checkpoints make the app's give up (only one
    /// checkpoint runs at a time): the WAL grew to gigabytes in a million-row burst. So for a moment
    /// (<see cref="WalPause"/>) this member's readers wait and this loop checkpoints nothing; the copy left to the app
    /// is what it wrote since this loop's last checkpoint. Returns false when no pause was due yet.
    /// </summary>
    private static bool LetTheWalStartOver(ReplicaStore store, ref long lastPause)
    {
        if (lastPause != 0 && Stopwatch.GetElapsedTime(lastPause) < BetweenWalPauses)
        {
            return false;
        }

        var readers = store.Readers;
        readers.Pause(WalPause);
        try
        {
            // Readers in flight finish; then the app's own checkpoint (inside its next commit) copies what is left and
            // its next transaction starts the WAL over. Look now and then (a checkpoint with nothing to copy is
            // instant; one that copies the app's latest pages would make the app's give up).
            var next = Stopwatch.GetTimestamp();
            while (readers.Paused)
            {
                if (readers.Active == 0 && Stopwatch.GetTimestamp() >= next)
                {
                    var (frames, _) = store.CheckpointIfWritten();
                    if (frames > 0 && store.WalBytesOf(frames) < RestartWalBytes / 8)
                    {
                        break;
                    }

                    next = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 50);
                }

                Thread.Sleep(1);
            }
        }
        finally
        {
            readers.Resume();
            lastPause = Stopwatch.GetTimestamp();
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "WAL of {Megabytes} MiB during writes: readers paused for it to start over")]
    private static partial void LogWalPause(ILogger logger, long megabytes);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The database is quiet: WAL file truncated")]
    private static partial void LogWalTruncated(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "WAL checkpoint failed (SQLite error {Code}): {Error}")]
    private static partial void LogCheckpointFailed(ILogger logger, int code, string error);
}
