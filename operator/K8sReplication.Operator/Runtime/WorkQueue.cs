using System.Threading.Channels;

namespace K8sReplication.Operator.Runtime;

/// <summary>
/// The controller work queue (client-go semantics): keys are deduplicated while waiting, a key being processed is
/// never handed to a second worker — if it is added meanwhile it is marked dirty and re-queued when
/// <see cref="Done"/> is called — delayed adds and per-key exponential backoff feed the same queue.
/// </summary>
internal sealed partial class WorkQueue : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Queue<string> _queue = new();
    private readonly HashSet<string> _dirty = new(StringComparer.Ordinal);
    private readonly HashSet<string> _processing = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (ITimer Timer, long Due)> _delayed = new(StringComparer.Ordinal);
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly TimeProvider _time;
    private readonly ItemBackoff _backoff;
    private bool _shutdown;

    public WorkQueue(TimeProvider time, ItemBackoff? backoff = null)
    {
        _time = time;
        _backoff = backoff ?? new ItemBackoff(TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(5));
    }

    /// <summary>Keys waiting (the <c>k8srepl_workqueue_depth</c> gauge).</summary>
    public int Depth
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    public void Add(string key)
    {
        lock (_gate)
        {
            if (_shutdown || !_dirty.Add(key))
            {
                return;
            }

            if (_processing.Contains(key))
            {
                // Re-queued by Done(): one worker per key at a time.
                return;
            }

            _queue.Enqueue(key);
        }

        _signal.Writer.TryWrite(true);
    }

    /// <summary>Adds the key after a delay; an earlier pending delay for the same key wins.</summary>
    public void AddAfter(string key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }

        lock (_gate)
        {
            if (_shutdown)
            {
                return;
            }

            var due = _time.GetTimestamp() + (long)(delay.TotalSeconds * _time.TimestampFrequency);
            if (_delayed.TryGetValue(key, out var existing))
            {
                // The earliest wake-up wins, as in client-go's delaying queue.
                if (existing.Due <= due)
                {
                    return;
                }

                existing.Timer.Dispose();
            }

            _delayed[key] = (_time.CreateTimer(_ => FireDelayed(key), null, delay, Timeout.InfiniteTimeSpan), due);
        }
    }

    /// <summary>Adds the key after its per-key backoff (doubling on each failure until <see cref="Forget"/>).</summary>
    public void AddRateLimited(string key) => AddAfter(key, _backoff.Next(key));

    /// <summary>Resets the key's failure backoff (after a successful reconcile).</summary>
    public void Forget(string key) => _backoff.Reset(key);

    public int Failures(string key) => _backoff.Failures(key);

    /// <summary>Waits for the next key; null when the queue is shut down and drained.</summary>
    public async ValueTask<string?> GetAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (_gate)
            {
                if (_queue.TryDequeue(out var key))
                {
                    _dirty.Remove(key);
                    _processing.Add(key);
                    if (_queue.Count > 0)
                    {
                        _signal.Writer.TryWrite(true);
                    }

                    return key;
                }

                if (_shutdown)
                {
                    return null;
                }
            }

            try
            {
                await _signal.Reader.ReadAsync(cancellationToken);
            }
            catch (ChannelClosedException)
            {
                return null;
            }
        }
    }

    /// <summary>Marks the key processed; if it was added meanwhile it goes back into the queue.</summary>
    public void Done(string key)
    {
        var requeued = false;
        lock (_gate)
        {
            _processing.Remove(key);
            if (_dirty.Contains(key) && !_shutdown)
            {
                _queue.Enqueue(key);
                requeued = true;
            }
        }

        if (requeued)
        {
            _signal.Writer.TryWrite(true);
        }
    }

    public void ShutDown()
    {
        lock (_gate)
        {
            _shutdown = true;
            foreach (var (timer, _) in _delayed.Values)
            {
                timer.Dispose();
            }

            _delayed.Clear();
        }

        _signal.Writer.TryComplete();
    }

    public void Dispose() => ShutDown();

    private void FireDelayed(string key)
    {
        lock (_gate)
        {
            if (_delayed.Remove(key, out var entry))
            {
                entry.Timer.Dispose();
            }
        }

        Add(key);
    }
}
