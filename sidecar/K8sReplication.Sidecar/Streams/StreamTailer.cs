using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Metrics;
using K8sReplication.Sidecar.Pull;
using K8sReplication.Sidecar.Repair;
using K8sReplication.Sidecar.Resilience;
using K8sReplication.Sidecar.Storage;
using StackExchange.Redis;

namespace K8sReplication.Sidecar.Streams;

/// <summary>
/// Tails one peer's Redis stream: exclusive <c>XRANGE (id</c> with a growing count while catching up, <c>XREAD BLOCK</c>
/// once caught up. The stream id is the cursor (<c>stream:SITE</c>), stored in the apply transaction like the HTTP
/// feed's. The peer's site comes from its schema handshake over HTTP, or from its stored binding while it is down (its
/// stream stays readable). Entries that fail their hash or do not parse are counted, reported and skipped; anti-entropy
/// (over the peer's HTTP API) repairs what they carried. When the stream was trimmed past the cursor, the cursor moves
/// to the stream's start and an anti-entropy round is asked for: nothing is lost.
/// </summary>
internal sealed partial class StreamTailer(
    LiveConfig config,
    ReplicaStore store,
    BatchApplier applier,
    DatabaseCircuit databaseCircuit,
    PeerClient client,
    RedisLink redis,
    SidecarMetrics metrics,
    AntiEntropyTrigger antiEntropy,
    TimeProvider time,
    ILogger logger)
{
    public const string CursorPrefix = "stream:";

    private static readonly TimeSpan Block = TimeSpan.FromSeconds(2);

    /// <summary>Set while this reader holds the breaker's half-open probe and has not settled it.</summary>
    private bool _probe;

    private PeerState Peer => client.Peer;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = new JitteredBackoff(SidecarDefaults.BackoffInitial, SidecarDefaults.BackoffMax);
        ConnectionMultiplexer? connection = null;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    if (config.Current.Paused)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
                        continue;
                    }

                    var site = await SiteAsync(cancellationToken);
                    if (!redis.Breaker.TryAcquire(out _probe))
                    {
                        await Task.Delay(Max(redis.Breaker.RemainingOpenTime, SidecarDefaults.BackoffInitial), time, cancellationToken);
                        continue;
                    }

                    connection ??= await redis.ConnectAsync("k8srepl-tailer-" + Peer.Name, Block + TimeSpan.FromSeconds(5));
                    await SessionAsync(connection.GetDatabase(), site, backoff, cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    ReleaseProbe();
                    return;
                }
                catch (Exception e)
                {
                    if (RedisLink.IsOutage(e))
                    {
                        _probe = false;
                        redis.RecordFailure(e);
                        if (connection is not null)
                        {
                            await connection.DisposeAsync();
                            connection = null;
                        }

                        Peer.RecordFailure(PeerActivity.Feed, redis.LastError ?? e.Message);
                    }
                    else
                    {
                        // Redis answered with an error, or the failure was not Redis's: the probe tested nothing.
                        ReleaseProbe();
                        Peer.RecordFailure(PeerActivity.Feed, e.Message);
                    }

                    LogTailFailed(logger, Peer.Name, e.Message);
                    Peer.CatchingUp = false;
                    Peer.InitialCatchUpSettled = true;
                    try
                    {
                        await Task.Delay(backoff.Next(), time, cancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
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

    private void ReleaseProbe()
    {
        if (_probe)
        {
            _probe = false;
            redis.Breaker.ReleaseProbe();
        }
    }

    /// <summary>The peer's site: from its handshake when it answers, else the site it is bound to (its stream outlives it).</summary>
    private async Task<SiteId> SiteAsync(CancellationToken cancellationToken)
    {
        if (Peer.Site is { } known && SiteId.TryParse(known, out var cached))
        {
            return cached;
        }

        try
        {
            var (site, _, _) = await client.GetSchemaAsync(cancellationToken);
            new SiteBindings(store).Check(Peer.Settings, site, config.Current.Peers);
            Peer.Site = site.ToString();
            return site;
        }
        catch (PeerUnavailableException) when (store.ReadCursor(SiteBindings.Prefix + Peer.Name) is { } bound
            && SiteId.TryParse(bound.Split(' ')[0], out var site))
        {
            Peer.Site = site.ToString();
            return site;
        }
    }

    private async Task SessionAsync(IDatabase db, SiteId site, JitteredBackoff backoff, CancellationToken cancellationToken)
    {
        var settings = config.Current;
        // The Redis link, the key prefix and the mesh name are those the process started with: a later config that
        // moves them waits for a restart (LiveConfig.PendingRestart) instead of switching streams mid-way.
        var started = config.Startup;
        var key = (RedisKey)started.Redis!.StreamKey(started.Mesh ?? SidecarDefaults.StandaloneMesh, site.ToString());
        var cursorKey = CursorPrefix + site;
        var cursor = StreamId.Parse(store.ReadCursor(cursorKey));
        var count = settings.BatchSize;
        var full = true;
        var checkTrim = true;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var entries = full
                ? await db.StreamRangeAsync(key, "(" + cursor, "+", count)
                : await ReadBlockingAsync(db, key, cursor, count);

            // A trim past the cursor can only have happened before a session's first read or while more than a page
            // arrived; it is judged against the cursor the read started from. The entries read are applied either way.
            if (checkTrim || entries.Length >= count)
            {
                var resume = await CheckTrimmedAsync(db, key, cursorKey, cursor);
                if (entries.Length == 0)
                {
                    cursor = resume;
                }
            }

            checkTrim = false;
            _probe = false;
            redis.RecordSuccess();
            Peer.RecordReachable();
            full = entries.Length >= count;
            Peer.CatchingUp = full;
            if (entries.Length > 0)
            {
                var changes = new List<Change>(entries.Length);
                foreach (var entry in entries)
                {
                    var (change, reason, detail) = await StreamEntryCodec.DecodeAsync(entry, site, settings.MaxRowBytes, cancellationToken);
                    if (change is not null)
                    {
                        changes.Add(change);
                        continue;
                    }

                    metrics.StreamBadEntries.WithLabels(Peer.Name, reason!).Inc();
                    Peer.RecordRejected(PeerActivity.Feed, $"stream entry {entry.Id} skipped ({reason}): {detail}; anti-entropy repairs what it carried");
                    LogBadEntry(logger, Peer.Name, entry.Id.ToString(), reason!, detail!);
                }

                var last = StreamId.Parse(entries[^1].Id.ToString());
                while (!databaseCircuit.TryAcquire())
                {
                    await Task.Delay(Max(databaseCircuit.RemainingOpenTime, SidecarDefaults.BackoffInitial), time, cancellationToken);
                }

                if (changes.Count > 0)
                {
                    applier.Apply(changes, cursorKey, last.ToString(), store.SchemaHashes, Peer.Name);
                    Peer.RecordDelivery();
                }
                else
                {
                    store.WriteCursor(cursorKey, last.ToString());
                }

                cursor = last;
                Peer.LagSeconds = full ? Math.Max(0, (time.GetUtcNow().ToUnixTimeMilliseconds() - (long)last.Milliseconds) / 1000.0) : 0;
                count = full ? Math.Min(count * 2, SidecarDefaults.MaxBatchSize) : settings.BatchSize;
            }
            else
            {
                Peer.LagSeconds = 0;
            }

            Peer.LagChanges = 0;
            Peer.RecordSuccess(PeerActivity.Feed);
            backoff.Reset();
            if (!full)
            {
                Peer.InitialCatchUpSettled = true;
            }
        }
    }

    /// <summary><c>XREAD COUNT n BLOCK ms STREAMS key id</c>: answers as soon as an entry after the cursor exists.</summary>
    private static async Task<StreamEntry[]> ReadBlockingAsync(IDatabase db, RedisKey key, StreamId cursor, int count)
    {
        var result = await db.ExecuteAsync("XREAD", "COUNT", count, "BLOCK", (long)Block.TotalMilliseconds, "STREAMS", key, cursor.ToString());
        if (result.IsNull || result.Length == 0)
        {
            return [];
        }

        // [[key, [[id, [field, value, …]], …]]]
        var raw = (RedisResult[])result[0]!;
        var items = (RedisResult[])raw[1]!;
        var entries = new StreamEntry[items.Length];
        for (var i = 0; i < items.Length; i++)
        {
            var item = (RedisResult[])items[i]!;
            var fields = (RedisValue[])item[1]!;
            var values = new NameValueEntry[fields.Length / 2];
            for (var f = 0; f < values.Length; f++)
            {
                values[f] = new NameValueEntry(fields[2 * f], fields[(2 * f) + 1]);
            }

            entries[i] = new StreamEntry((RedisValue)item[0], values);
        }

        return entries;
    }

    /// <summary>
    /// When Redis trimmed entries after the cursor they were never applied: counted, shown, the cursor moves to just
    /// before the stream's first entry and anti-entropy repairs the difference. Trimming does not record what it
    /// removed, so a trim that ended exactly at the cursor is reported too: that costs one needless round, never data.
    /// </summary>
    private async Task<StreamId> CheckTrimmedAsync(IDatabase db, RedisKey key, string cursorKey, StreamId cursor)
    {
        if (!await db.KeyExistsAsync(key))
        {
            // The peer has published nothing yet.
            return cursor;
        }

        var info = await db.ExecuteAsync("XINFO", "STREAM", key);
        long length = 0, added = 0;
        StreamId? first = null;
        var lastGenerated = default(StreamId);
        var fields = (RedisResult[])info!;
        for (var i = 0; i + 1 < fields.Length; i += 2)
        {
            switch ((string?)fields[i])
            {
                case "length":
                    length = (long)fields[i + 1];
                    break;
                case "entries-added":
                    added = (long)fields[i + 1];
                    break;
                case "last-generated-id":
                    lastGenerated = StreamId.Parse((string?)fields[i + 1]);
                    break;
                case "first-entry" when !fields[i + 1].IsNull:
                    first = StreamId.Parse((string?)((RedisResult[])fields[i + 1]!)[0]);
                    break;
            }
        }

        // Nothing ever removed, or the cursor is at (or past) what remains: nothing was missed.
        var resume = first is { } f ? f.Previous() : lastGenerated;
        if (added <= length || cursor.CompareTo(resume) >= 0)
        {
            return cursor;
        }

        metrics.StreamTrimmed.WithLabels(Peer.Name).Inc();
        Peer.LastTrim = $"{time.GetUtcNow():O}: the stream was trimmed past this member's cursor {cursor} (its first entry is now after {resume}); reading from its start and repairing with anti-entropy";
        LogTrimmed(logger, Peer.Name, cursor.ToString(), resume.ToString());
        store.WriteCursor(cursorKey, resume.ToString());
        antiEntropy.RequestRound();
        return resume;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Peer {Peer}: reading its Redis stream failed: {Error}")]
    private static partial void LogTailFailed(ILogger logger, string peer, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Peer {Peer}: stream entry {Id} skipped ({Reason}): {Detail}")]
    private static partial void LogBadEntry(ILogger logger, string peer, string id, string reason, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Peer {Peer}: its stream was trimmed past cursor {Cursor} (it now starts after {Resume}); anti-entropy repairs the gap")]
    private static partial void LogTrimmed(ILogger logger, string peer, string cursor, string resume);
}
