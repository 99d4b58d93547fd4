using System.Globalization;
using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Resilience;
using K8sReplication.Sidecar.Storage;
using StackExchange.Redis;

namespace K8sReplication.Sidecar.Streams;

/// <summary>
/// Appends this member's own changes (origin = this site) to its stream <c>&lt;prefix&gt;&lt;mesh&gt;:&lt;site&gt;</c>
/// with <c>XADD … MAXLEN ~ N</c>, in feed order, a batch at a time as a pipeline of one entry per change. The publish
/// position (the last feed seq published) is stored in the app database only after every XADD of its batch succeeded,
/// so what was captured while Redis was unreachable is published, in order and without gaps, once it is back. A crash
/// (or a failed XADD) between the appends and the position write publishes that batch again: readers skip the
/// repeats, because applying a version that is already there changes nothing (last-writer-wins is idempotent).
/// </summary>
internal sealed partial class StreamPublisher(
    LiveConfig config,
    StoreAccess replica,
    RedisLink redis,
    ChangeSignal signal,
    TimeProvider time,
    ILogger<StreamPublisher> logger) : BackgroundService
{
    /// <summary>Cursor-table key of the publish position.</summary>
    public const string PositionKey = "stream-published";

    /// <summary>Changes published per pipeline; the position moves once per batch.</summary>
    public const int BatchSize = 2000;

    private static readonly TimeSpan IdleWake = TimeSpan.FromSeconds(1);

    private long _published;

    /// <summary>The last feed seq published (status).</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>This member's stream key.</summary>
    public static string StreamKey(SidecarSettings settings, SiteId site) =>
        settings.Redis!.StreamKey(settings.Mesh ?? SidecarDefaults.StandaloneMesh, site.ToString());

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!replica.TryGet(out var store))
        {
            return;
        }

        // The stream is the one of the settings the process started with (see LiveConfig.Startup).
        var key = (RedisKey)StreamKey(config.Startup, store.Site);
        var position = long.TryParse(store.ReadCursor(PositionKey), NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 0;
        Interlocked.Exchange(ref _published, position);
        var backoff = new JitteredBackoff(SidecarDefaults.BackoffInitial, SidecarDefaults.BackoffMax);
        ConnectionMultiplexer? connection = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                connection = await PublishAsync(store, key, connection, position, backoff, stoppingToken);
                position = Published;
            }
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Publishes until a failure; returns the connection to go on with (null after an outage: the next call opens a
    /// new one).
    /// </summary>
    private async Task<ConnectionMultiplexer?> PublishAsync(ReplicaStore store, RedisKey key, ConnectionMultiplexer? connection, long position,
        JitteredBackoff backoff, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            // Set while this loop holds the breaker's half-open probe and has not settled it.
            var probe = false;
            try
            {
                // Take the signal before reading, so a change folded between the read and the wait still wakes us.
                var changed = signal.NextOwnAsync();
                var batch = store.ReadChanges(position, BatchSize, store.Site);
                if (batch.Changes.Count == 0)
                {
                    // Nothing to ask of Redis, so the breaker is left alone: taking its half-open probe here would
                    // keep the tailers from probing while this loop sends nothing, and the transport would stop.
                    if (batch.LastSeq > position)
                    {
                        // Only other sites' changes up to there: nothing of ours to publish in that range.
                        position = batch.LastSeq;
                        store.WriteCursor(PositionKey, position.ToString(CultureInfo.InvariantCulture));
                        Interlocked.Exchange(ref _published, position);
                        continue;
                    }

                    await changed.WaitAsync(IdleWake, time, stoppingToken).ContinueWith(static _ => { }, CancellationToken.None,
                        TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    stoppingToken.ThrowIfCancellationRequested();
                    continue;
                }

                if (!redis.Breaker.TryAcquire(out probe))
                {
                    await Task.Delay(Max(redis.Breaker.RemainingOpenTime, SidecarDefaults.BackoffInitial), time, stoppingToken);
                    continue;
                }

                connection ??= await redis.ConnectAsync("k8srepl-publisher", TimeSpan.FromSeconds(10));
                var db = connection.GetDatabase();
                var maxLen = config.Startup.Redis!.StreamMaxLen;
                var now = time.GetUtcNow().ToUnixTimeMilliseconds();
                var hashes = store.SchemaHashes;
                // One connection keeps command order: the entries land in the stream in feed order.
                var appends = new Task[batch.Changes.Count];
                for (var i = 0; i < appends.Length; i++)
                {
                    var change = batch.Changes[i];
                    var entry = StreamEntryCodec.Encode(change, store.Site, store.Hlc, now, hashes.GetValueOrDefault(change.Table));
                    appends[i] = db.StreamAddAsync(key, entry, maxLength: maxLen, useApproximateMaxLength: true);
                }

                await Task.WhenAll(appends);
                // Redis acknowledged every append: that settles a probe, whatever becomes of the position write.
                redis.RecordSuccess();
                probe = false;
                position = batch.LastSeq;
                store.WriteCursor(PositionKey, position.ToString(CultureInfo.InvariantCulture));
                Interlocked.Exchange(ref _published, position);
                backoff.Reset();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                if (probe)
                {
                    redis.Breaker.ReleaseProbe();
                }

                return connection;
            }
            catch (Exception e)
            {
                if (RedisLink.IsOutage(e))
                {
                    redis.RecordFailure(e);
                    if (connection is not null)
                    {
                        await connection.DisposeAsync();
                        connection = null;
                    }
                }
                else if (probe)
                {
                    // Redis answered with an error, or the failure was not Redis's: the probe tested nothing.
                    redis.Breaker.ReleaseProbe();
                }

                LogPublishFailed(logger, redis.Settings.Display, e.Message);
                try
                {
                    await Task.Delay(backoff.Next(), time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return connection;
                }
            }
        }

        return connection;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing to Redis at {Redis} failed: {Error}; retrying from the stored position")]
    private static partial void LogPublishFailed(ILogger logger, string redis, string error);
}
