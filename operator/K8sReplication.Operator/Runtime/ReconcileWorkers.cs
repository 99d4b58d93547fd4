using K8sReplication.Operator.Metrics;

namespace K8sReplication.Operator.Runtime;

/// <summary>
/// N workers draining the work queue into the reconciler. The queue guarantees one worker per key; success forgets
/// the key's backoff and schedules the requeue the reconciler asked for, an exception retries with backoff. The
/// requeue path is the queue itself, so a periodic look and an event for the same key collapse into one reconcile.
/// </summary>
internal sealed partial class ReconcileWorkers
{
    private readonly WorkQueue _queue;
    private readonly IReconciler _reconciler;
    private readonly OperatorMetrics? _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private int _running;

    public ReconcileWorkers(WorkQueue queue, IReconciler reconciler, OperatorMetrics? metrics, ILogger logger, TimeProvider time)
    {
        _queue = queue;
        _reconciler = reconciler;
        _metrics = metrics;
        _logger = logger;
        _time = time;
    }

    /// <summary>Workers currently running (readiness: a leader with no running workers is not working).</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Runs <paramref name="count"/> workers until cancelled; in-flight reconciles see the cancellation.</summary>
    public Task RunAsync(int count, CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, count).Select(_ => WorkerAsync(cancellationToken)));

    private async Task WorkerAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _running);
        try
        {
            await Task.Yield();
            while (!cancellationToken.IsCancellationRequested)
            {
                string? key;
                try
                {
                    key = await _queue.GetAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                if (key is null)
                {
                    return;
                }

                await ProcessAsync(key, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    private async Task ProcessAsync(string key, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        try
        {
            var result = await _reconciler.ReconcileAsync(key, cancellationToken).ConfigureAwait(false);
            _queue.Forget(key);
            if (result.RequeueAfter is { } delay)
            {
                _queue.AddAfter(key, delay);
            }

            _metrics?.RecordReconcile(result.RequeueAfter is null ? "success" : "requeue", _time.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutdown or lost leadership: the next leader (or this one, later) picks the key up again.
            _queue.Add(key);
        }
        catch (Exception ex)
        {
            _metrics?.RecordReconcile("error", _time.GetElapsedTime(started));
            LogFailed(_logger, key, _queue.Failures(key) + 1, ex);
            _queue.AddRateLimited(key);
        }
        finally
        {
            _queue.Done(key);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reconcile of {Key} failed (attempt {Attempt}); retrying with backoff")]
    private static partial void LogFailed(ILogger logger, string key, int attempt, Exception exception);
}
