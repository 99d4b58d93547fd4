using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Storage;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Capture;

/// <summary>
/// Watches the database for commits on a thread of its own and wakes the change feed the moment the app's captures
/// appear. Polling from a dedicated thread that sleeps between checks (<see cref="FoldPacer"/> sets how long) wakes
/// on time; an async loop's timer and thread-pool hop added milliseconds to the replication lag's tail. The fold loop
/// takes what the watcher saw (<see cref="TakeCaptured"/>, <see cref="TakeSchemaMoved"/>) at its own, coarser pace.
/// </summary>
internal sealed partial class CommitWatcher(ReplicaStore store, ChangeSignal signal, TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan FailureBackoff = TimeSpan.FromMilliseconds(100);
    private long head;
    private long captured;
    private int schemaMoved;
    private int committed;

    /// <summary>The capture log's newest seq as last seen (how far the change feed reaches).</summary>
    public long Head => Interlocked.Read(ref head);

    /// <summary>Captures seen since the last call.</summary>
    public long TakeCaptured() => Interlocked.Exchange(ref captured, 0);

    /// <summary>Whether the schema cookie moved since the last call.</summary>
    public bool TakeSchemaMoved() => Interlocked.Exchange(ref schemaMoved, 0) != 0;

    /// <summary>Whether any connection committed since the last call.</summary>
    public bool TakeCommitted() => Interlocked.Exchange(ref committed, 0) != 0;

    /// <summary>Starts the watching thread; it ends when <paramref name="stopping"/> is cancelled or the store closes.</summary>
    public Thread Start(CancellationToken stopping)
    {
        var thread = new Thread(() => Run(stopping)) { IsBackground = true, Name = "k8srepl-commit-watch" };
        thread.Start();
        return thread;
    }

    private void Run(CancellationToken stopping)
    {
        var pacer = new FoldPacer();
        try
        {
            Interlocked.Exchange(ref head, store.CaptureHead());
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        while (!stopping.IsCancellationRequested)
        {
            if (store.Readers.Paused)
            {
                // The WAL is starting over (see ReaderPause): even this check is a read transaction.
                Thread.Sleep(SidecarDefaults.FoldPollInterval);
                continue;
            }

            var seen = 0L;
            try
            {
                if (store.HasExternalChanges())
                {
                    Interlocked.Exchange(ref committed, 1);
                    var newHead = store.CaptureHead();
                    seen = Math.Max(0, newHead - Head);
                    Interlocked.Exchange(ref head, newHead);
                    if (seen > 0)
                    {
                        Interlocked.Add(ref captured, seen);
                        signal.Notify();
                    }

                    // The app's DDL is a commit too: look at the schema cookie only when something was committed.
                    if (store.SchemaChangedSinceRefresh())
                    {
                        Interlocked.Exchange(ref schemaMoved, 1);
                    }
                }
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SqliteException e)
            {
                LogWatchFailed(logger, e.SqliteErrorCode, e.Message);
                Thread.Sleep(FailureBackoff);
                continue;
            }

            Thread.Sleep(pacer.Next((int)Math.Min(int.MaxValue, seen), time.GetTimestamp(), time));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watching for commits failed (SQLite error {Code}): {Error}")]
    private static partial void LogWatchFailed(ILogger logger, int code, string error);
}
