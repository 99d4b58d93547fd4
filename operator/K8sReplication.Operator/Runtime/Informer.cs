using k8s;
using k8s.Models;
using K8sReplication.Kube.Client;
using K8sReplication.Kube.Resources;
using K8sReplication.Kube.Watch;

namespace K8sReplication.Operator.Runtime;

/// <summary>
/// List + watch of one resource into an <see cref="ObjectCache{T}"/> (client-go's reflector and indexer in one).
/// The watch resumes from the last version it saw (events and bookmarks) across server timeouts, dropped connections
/// and silences; when the server's history no longer reaches that version (410) it lists again and reports the
/// difference to the cache as events, so no change is missed. Handlers run on the informer's loop and must only
/// enqueue keys.
/// </summary>
internal sealed partial class Informer<T> : IInformer
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly KubeConnection _connection;
    private readonly KubeResource<T> _type;
    private readonly string? _namespace;
    private readonly InformerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Action<T?, T?>> _handlers = [];
    private long _relists;

    /// <param name="connection">API connection.</param>
    /// <param name="type">Resource watched.</param>
    /// <param name="namespace">A namespace, or null for all namespaces.</param>
    /// <param name="options">Selector and timeouts.</param>
    /// <param name="logger">Logger.</param>
    /// <param name="time">Clock for retry delays.</param>
    public Informer(KubeConnection connection, KubeResource<T> type, string? @namespace, InformerOptions options, ILogger logger, TimeProvider time)
    {
        _connection = connection;
        _type = type;
        _namespace = @namespace;
        _options = options;
        _logger = logger;
        _time = time;
    }

    public ObjectCache<T> Cache { get; } = new();

    public string Resource => _type.Plural;

    /// <summary>True once the first list has been stored in the cache.</summary>
    public bool HasSynced => _synced.Task.IsCompleted;

    /// <summary>Completes when the first list has been stored in the cache.</summary>
    public Task Synced => _synced.Task;

    /// <summary>Lists done after the first (410, failures); for tests and diagnostics.</summary>
    public long Relists => Interlocked.Read(ref _relists);

    /// <summary>
    /// Registers a handler of (old, new): old null for an add, new null for a delete. Register before
    /// <see cref="RunAsync"/>.
    /// </summary>
    public void AddHandler(Action<T?, T?> handler) => _handlers.Add(handler);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var delay = _options.RetryDelay;
        var first = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (!first)
                {
                    Interlocked.Increment(ref _relists);
                }

                first = false;
                var list = await _type.ListAllAsync(_connection.Client, _namespace, _options.LabelSelector, _options.FieldSelector, cancellationToken)
                    .ConfigureAwait(false);
                Replace(list.Items);
                _synced.TrySetResult();
                LogListed(_logger, _type.Plural, list.Items.Count, list.ResourceVersion);
                delay = _options.RetryDelay;

                var watchOptions = new WatchOptions
                {
                    LabelSelector = _options.LabelSelector,
                    FieldSelector = _options.FieldSelector,
                    ServerTimeout = _options.ServerTimeout,
                    InactivityTimeout = _options.InactivityTimeout,
                };
                await foreach (var e in _connection.WatchAsync(_type, _namespace, list.ResourceVersion, watchOptions, _time, cancellationToken)
                                   .ConfigureAwait(false))
                {
                    Apply(e);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (ResourceExpiredException ex)
            {
                // History no longer reaches our version: list again at once; the diff covers what we missed.
                LogExpired(_logger, _type.Plural, ex.Message);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(_logger, _type.Plural, delay, ex.Message);
                try
                {
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
            }
        }
    }

    private void Apply(WatchEvent<T> e)
    {
        switch (e.Type)
        {
            case WatchEventType.Added or WatchEventType.Modified:
                {
                    var old = Cache.Set(e.Item);
                    Notify(old, e.Item);
                    break;
                }

            case WatchEventType.Deleted:
                {
                    var old = Cache.Remove(ObjectKey.Of(e.Item));
                    Notify(old ?? e.Item, null);
                    break;
                }

            default:
                break; // bookmarks only move the resume version, which the client tracks
        }
    }

    /// <summary>Makes the cache equal to a fresh list, reporting adds, updates and deletes to the handlers.</summary>
    private void Replace(IReadOnlyList<T> items)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            seen.Add(ObjectKey.Of(item));
            var old = Cache.Set(item);
            if (old is null || old.Metadata.ResourceVersion != item.Metadata.ResourceVersion)
            {
                Notify(old, item);
            }
        }

        foreach (var key in Cache.Keys())
        {
            if (!seen.Contains(key) && Cache.Remove(key) is { } gone)
            {
                Notify(gone, null);
            }
        }
    }

    private void Notify(T? old, T? current)
    {
        foreach (var handler in _handlers)
        {
            try
            {
                handler(old, current);
            }
            catch (Exception ex)
            {
                LogHandlerFailed(_logger, _type.Plural, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Listed {Resource}: {Count} objects at resourceVersion {ResourceVersion}")]
    private static partial void LogListed(ILogger logger, string resource, int count, string? resourceVersion);

    [LoggerMessage(Level = LogLevel.Information, Message = "Watch of {Resource} expired ({Reason}); listing again")]
    private static partial void LogExpired(ILogger logger, string resource, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "List/watch of {Resource} failed; retrying in {Delay}: {Reason}")]
    private static partial void LogFailed(ILogger logger, string resource, TimeSpan delay, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "An event handler of {Resource} failed")]
    private static partial void LogHandlerFailed(ILogger logger, string resource, Exception exception);
}
