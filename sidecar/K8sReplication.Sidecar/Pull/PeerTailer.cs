using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using K8sReplication.Contracts.Config;
using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Resilience;
using K8sReplication.Sidecar.Storage;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Pull;

/// <summary>
/// Tails one peer's change feed for ever: a fetcher long-polls from the cursor stored in the database and hands
/// batches through a small bounded channel to an applier, so the next fetch overlaps the current apply. The applier
/// stores the cursor in the same transaction as the rows, and every failure restarts the session from the stored
/// cursor: a crash or error can repeat a batch (skipped as duplicates) but never skip one. Whatever goes wrong
/// (unreachable peer, refused answer, local database error, a bug) is recorded on the peer's state, counted, and
/// retried after a backoff: the loop only ends when the sidecar stops or the peer is removed.
/// </summary>
internal sealed partial class PeerTailer(
    LiveConfig config,
    ReplicaStore store,
    BatchApplier applier,
    DatabaseCircuit databaseCircuit,
    PeerClient client,
    SiteBindings bindings,
    TimeProvider time,
    ILogger logger)
{
    public const string CursorPrefix = CursorTable.FeedPrefix;

    /// <inheritdoc cref="CursorTable.HeldPrefix"/>
    public const string HeldPrefix = CursorTable.HeldPrefix;

    /// <summary>While a table is held back, the session ends this often to read both sides' schemas again.</summary>
    private static readonly TimeSpan HeldRecheckInterval = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Batches fetched ahead of the one being applied. One is enough to overlap fetch and apply; each costs up to an
    /// answer's limit in memory (see PeerAnswerLimits).
    /// </summary>
    private const int PipelineDepth = 1;
    private static readonly TimeSpan SchemaRecheck = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Most changes asked for per request. Halved when an answer is too large (a sender that does not honour the byte
    /// budget, or rows near the row limit), restored once the tailer has caught up.
    /// </summary>
    private int _ceiling = SidecarDefaults.MaxBatchSize;

    /// <summary>
    /// How far this member has applied the peer's feed: every change up to this seq is applied (the stored cursor, or
    /// the lowest resume point of a held-back table). Reported with each request for the peer's collection horizon.
    /// </summary>
    private long _applied;

    /// <summary>The lowest resume point of this peer's held-back tables, long.MaxValue when none is held back.</summary>
    private long _heldFloor = long.MaxValue;

    /// <summary>The number of the half-open probe the current session started with (<see cref="CircuitBreaker.ProbesGranted"/>), 0 for none.</summary>
    private long _probe;

    private PeerState Peer => client.Peer;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = new JitteredBackoff(SidecarDefaults.BackoffInitial, SidecarDefaults.BackoffMax);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (config.Current.Paused)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
                    continue;
                }

                if (!Peer.Breaker.TryAcquire(out var probe))
                {
                    await Task.Delay(Max(Peer.Breaker.RemainingOpenTime, SidecarDefaults.BackoffInitial), time, cancellationToken);
                    continue;
                }

                _probe = probe ? Peer.Breaker.ProbesGranted : 0;

                await SessionAsync(backoff, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (PeerUnavailableException stale) when (stale.StaleReaderAppliedOwn is { } appliedOwn)
            {
                try
                {
                    await ResyncAsync(stale.Message, appliedOwn, stale.StaleReaderPeerUncertain, cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    try
                    {
                        await Task.Delay(OnFailure(e, backoff), time, cancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            }
            catch (Exception e)
            {
                try
                {
                    await Task.Delay(OnFailure(e, backoff), time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Records a failed session on the peer's state and says how long to wait before the next one.</summary>
    private TimeSpan OnFailure(Exception e, JitteredBackoff backoff)
    {
        switch (e)
        {
            case SchemaHeldBackException held:
                ReleaseProbe();
                LogSchemaHeldBack(logger, Peer.Name, held.Message);
                return SchemaRecheck;
            case FeedsRestartedException:
                ReleaseProbe();
                return TimeSpan.Zero;
            case PeerAnswerRejectedException rejected:
                if (rejected.Reason == RejectReason.TooLarge)
                {
                    _ceiling = Math.Max(1, Math.Min(_ceiling, config.Current.BatchSize) / 2);
                }

                client.CountRejected(rejected.Reason);
                Rejected(rejected.Message);
                break;
            case ChangeRejectedException refused:
                // The store refused the batch before writing anything (key types, value counts, unknown tables).
                client.CountRejected(RejectReason.Invalid);
                Rejected(refused.Message);
                break;
            case PeerUnavailableException unavailable:
                Peer.RecordFailure(PeerActivity.Feed, unavailable.Message);
                LogPeerFailed(logger, Peer.Name, unavailable.Message);
                break;
            case SqliteException local:
                ReleaseProbe();
                LogApplyFailed(logger, Peer.Name, local.Message);
                break;
            default:
                Peer.RecordFailure(PeerActivity.Feed, "unexpected failure: " + e.Message);
                LogUnexpected(logger, Peer.Name, e);
                break;
        }

        Peer.CatchingUp = false;

        // An unreachable or refused peer does not hold readiness back: being alone is reported, not a failure.
        Peer.InitialCatchUpSettled = true;
        return backoff.Next();
    }

    /// <summary>
    /// A session that ends without a verdict on the peer (a local error, a schema recheck, the feeds restarting) gives
    /// back the half-open probe it started with, if nothing settled it meanwhile: held for good, it would keep every
    /// caller of this peer out.
    /// </summary>
    private void ReleaseProbe()
    {
        if (_probe > 0)
        {
            Peer.Breaker.ReleaseProbe(_probe);
            _probe = 0;
        }
    }

    private void Rejected(string message)
    {
        Peer.RecordRejected(PeerActivity.Feed, message);
        LogRejected(logger, Peer.Name, message);
    }

    private async Task SessionAsync(JitteredBackoff backoff, CancellationToken cancellationToken)
    {
        var (site, tables, _) = await client.GetSchemaAsync(cancellationToken);
        var settings = config.Current;
        bindings.Check(Peer.Settings, site, settings.Peers);
        Peer.Site = site.ToString();
        Peer.RecordReachable();
        var local = store.SchemaHashes;
        // A table the peer replicates and this member does not counts too: its changes are held back like a mismatch's.
        Peer.SchemaMismatches = [.. tables.Where(t => !local.TryGetValue(t.Key, out var h) || h != t.Value).Select(t => t.Key).Order(StringComparer.Ordinal)];

        var generation = store.FeedsGeneration;
        var cursorKey = CursorPrefix + site;
        var heldPrefix = HeldPrefix + site + ":";
        var agreed = store.ReadCursors(heldPrefix).Keys.Select(k => k[heldPrefix.Length..])
            .Where(t => !Peer.SchemaMismatches.Contains(t, StringComparer.Ordinal)).ToList();
        var cursorText = agreed.Count > 0 ? store.TakeHeld(cursorKey, heldPrefix, agreed) : store.ReadCursor(cursorKey);
        var cursor = long.TryParse(cursorText, NumberStyles.None, CultureInfo.InvariantCulture, out var c) ? c : 0;
        _heldFloor = HeldFloor(heldPrefix);
        Volatile.Write(ref _applied, Math.Min(cursor, _heldFloor));
        if (agreed.Count > 0)
        {
            var released = string.Join(", ", agreed);
            LogHeldReleased(logger, Peer.Name, released, cursor);
        }

        var origin = settings.Topology == Topology.FullMesh ? site : (SiteId?)null;

        var channel = Channel.CreateBounded<(FeedPage Page, bool Full)>(new BoundedChannelOptions(PipelineDepth)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = true,
        });
        using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var fetch = FetchAsync(channel.Writer, site, cursor, origin, generation, session.Token);
        var apply = ApplyAsync(channel.Reader, cursorKey, heldPrefix, tables, backoff, generation, session.Token);
        var first = await Task.WhenAny(fetch, apply);
        await session.CancelAsync();
        try
        {
            await Task.WhenAll(fetch, apply);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Observed below through the task that ended first; the sibling only saw the session's cancellation.
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (first.Exception?.InnerException is { } failure)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    private async Task FetchAsync(ChannelWriter<(FeedPage Page, bool Full)> writer, SiteId site, long after, SiteId? origin, long generation,
        CancellationToken cancellationToken)
    {
        try
        {
            var settings = config.Current;
            var limit = Math.Min(settings.BatchSize, _ceiling);
            var full = false;
            var localSchemas = SchemaSignature(store.SchemaHashes);
            var started = time.GetTimestamp();
            while (true)
            {
                // A held-back table flows again once schemas agree: look again when ours changed, or now and then
                // (the peer's may have).
                if (Peer.SchemaMismatches.Count > 0
                    && (SchemaSignature(store.SchemaHashes) != localSchemas || time.GetElapsedTime(started) > HeldRecheckInterval))
                {
                    throw new SchemaHeldBackException($"reading both schemas again: {string.Join(", ", Peer.SchemaMismatches)} differed");
                }

                if (store.FeedsGeneration != generation)
                {
                    throw new FeedsRestartedException();
                }

                settings = config.Current;
                var wait = full || !Peer.InitialCatchUpSettled ? TimeSpan.Zero : settings.Wait;
                var page = await client.GetChangesAsync(after, limit, wait, origin, (store.Site, Volatile.Read(ref _applied)), cancellationToken);
                if (page.Site != site)
                {
                    throw new PeerAnswerRejectedException(RejectReason.SiteChanged,
                        $"changes: answered by site {page.Site}, the peer's handshake said {site}");
                }

                store.Horizons.Observe(site, page.Horizon);

                Peer.RecordReachable();
                // More is waiting when the page was full, or cut short by the byte budget before the peer's newest entry.
                full = page.Changes.Count >= limit || page.LastSeq < page.MaxSeq;
                Peer.CatchingUp = full;
                Peer.LagChanges = Math.Max(0, page.MaxSeq - page.LastSeq);
                if (page.Changes.Count > 0 || !Peer.InitialCatchUpSettled)
                {
                    await writer.WriteAsync((page, full), cancellationToken);
                }
                else
                {
                    // A valid, empty answer: the feed works and nothing is waiting.
                    Peer.RecordSuccess(PeerActivity.Feed);
                }

                after = page.LastSeq;
                if (!full)
                {
                    _ceiling = SidecarDefaults.MaxBatchSize;
                }

                // Catching up: grow batches (fewer round trips and transactions); caught up: back to the configured size.
                limit = full ? Math.Min(Math.Min(limit * 2, SidecarDefaults.MaxBatchSize), _ceiling) : Math.Min(settings.BatchSize, _ceiling);
            }
        }
        finally
        {
            writer.TryComplete();
        }
    }

    private async Task ApplyAsync(ChannelReader<(FeedPage Page, bool Full)> reader, string cursorKey, string heldPrefix,
        IReadOnlyDictionary<string, string> senderHashes, JitteredBackoff backoff, long generation, CancellationToken cancellationToken)
    {
        var heldLogged = false;
        await foreach (var (page, full) in reader.ReadAllAsync(cancellationToken))
        {
            if (store.FeedsGeneration != generation)
            {
                throw new FeedsRestartedException();
            }

            if (page.Changes.Count > 0)
            {
                while (!databaseCircuit.TryAcquire())
                {
                    await Task.Delay(Max(databaseCircuit.RemainingOpenTime, SidecarDefaults.BackoffInitial), time, cancellationToken);
                }

                var result = applier.Apply(page.Changes, cursorKey, page.LastSeq.ToString(CultureInfo.InvariantCulture), senderHashes, Peer.Name, heldPrefix);
                if (result.RejectedSchema > 0)
                {
                    _heldFloor = HeldFloor(heldPrefix);
                }

                if (result.CursorStored)
                {
                    Volatile.Write(ref _applied, Math.Min(page.LastSeq, _heldFloor));
                }
                if (result.RejectedSchema > 0 && !heldLogged)
                {
                    heldLogged = true;
                    // The other tables went on; these are read again once schemas agree.
                    var heldTables = string.Join(", ", Peer.SchemaMismatches);
                    LogHeldBack(logger, Peer.Name, result.RejectedSchema, heldTables);
                }

                Peer.RecordDelivery();
                var newest = page.Changes[^1].Version.Hlc >> 16;
                Peer.LagSeconds = full ? Math.Max(0, (time.GetUtcNow().ToUnixTimeMilliseconds() - newest) / 1000.0) : 0;
            }
            else
            {
                Peer.LagSeconds = 0;
            }

            // A round trip and its apply worked: the next failure starts backing off from the bottom again.
            Peer.RecordSuccess(PeerActivity.Feed);
            backoff.Reset();
            if (!full)
            {
                Peer.InitialCatchUpSettled = true;
            }
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>
    /// Resynchronises from a peer that collected, by age, deletes this member never applied (it was away longer than
    /// <c>tombstoneTtl</c>): reads the peer's whole current state (every site's rows and the tombstones it still has),
    /// applying it like any feed page, then drops every local version whose key the peer does not hold — the peer had
    /// it and collected its delete — except this member's own writes the peer never applied, which replicate as usual
    /// (live rows at or below the peer's uncertain mark excepted: the peer refuses them, so they are dropped into the
    /// conflict log; see <see cref="ReplicaStore.DropAbsentAtPeer"/>).
    /// Every peer's feed is then read again from its start, so a row the peer lacked only because it had not received
    /// it yet comes back from the member that wrote it (re-reading costs what a new member's first sync does; rows
    /// present everywhere are skipped as duplicates). Logged, and shown in the peer's status.
    /// </summary>
    private async Task ResyncAsync(string reason, long peerAppliedOwn, long peerUncertain, CancellationToken cancellationToken)
    {
        var (site, tables, _) = await client.GetSchemaAsync(cancellationToken);
        bindings.Check(Peer.Settings, site, config.Current.Peers);
        LogResyncStarted(logger, Peer.Name, reason);
        Peer.RecordFailure(PeerActivity.Feed, "resynchronising: " + reason);
        var held = new HashSet<(ulong, ulong)>();
        var heldPrefix = HeldPrefix + site + ":";
        var after = 0L;
        while (true)
        {
            var page = await client.GetChangesAsync(after, SidecarDefaults.MaxBatchSize, TimeSpan.Zero, null, null, cancellationToken);
            if (page.Site != site)
            {
                throw new PeerAnswerRejectedException(RejectReason.SiteChanged, $"changes: answered by site {page.Site}, the peer's handshake said {site}");
            }

            foreach (var change in page.Changes)
            {
                held.Add(KeyHash.Of128(System.Text.Encoding.UTF8.GetBytes(change.Table), change.Key, []));
            }

            if (page.Changes.Count > 0)
            {
                applier.Apply(page.Changes, ResyncPrefix + site, page.LastSeq.ToString(CultureInfo.InvariantCulture), tables, Peer.Name, heldPrefix);
            }

            after = page.LastSeq;
            if (page.LastSeq >= page.MaxSeq)
            {
                break;
            }
        }

        var (rows, tombstones, _) = applier.DropAbsentAtPeer(
            (table, key) => held.Contains(KeyHash.Of128(System.Text.Encoding.UTF8.GetBytes(table), key, [])), peerAppliedOwn, site, peerUncertain);

        // A row dropped because the peer had not received it yet (another member wrote it) comes back when this
        // member reads that member's feed again: every feed is read again from its start.
        store.RestartFeeds();
        var outcome = string.Create(CultureInfo.InvariantCulture,
            $"{time.GetUtcNow():O}: dropped {rows} rows and {tombstones} tombstones the mesh had deleted; read {held.Count} keys up to seq {after}");
        Peer.LastResync = outcome;
        LogResynced(logger, Peer.Name, rows, tombstones, held.Count);
    }

    /// <summary>Cursor-table prefix of how far the last resynchronising read from a peer got.</summary>
    public const string ResyncPrefix = "resync:";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Peer {Peer}: this member is stale ({Reason}); resynchronising from it")]
    private static partial void LogResyncStarted(ILogger logger, string peer, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Peer {Peer}: resynchronised: dropped {Rows} rows and {Tombstones} tombstones the mesh had deleted (the peer holds {Keys} keys)")]
    private static partial void LogResynced(ILogger logger, string peer, long rows, long tombstones, int keys);

    /// <summary>The lowest resume point stored for this peer's held-back tables, long.MaxValue when there is none.</summary>
    private long HeldFloor(string heldPrefix) =>
        store.ReadCursors(heldPrefix).Values
            .Select(v => long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var seq) ? seq : 0)
            .DefaultIfEmpty(long.MaxValue).Min();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Peer {Peer} feed failed: {Error}")]
    private static partial void LogPeerFailed(ILogger logger, string peer, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Peer {Peer}: answer refused: {Error}")]
    private static partial void LogRejected(ILogger logger, string peer, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Applying from peer {Peer} failed: {Error}")]
    private static partial void LogApplyFailed(ILogger logger, string peer, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Peer {Peer} tailer failed unexpectedly; retrying")]
    private static partial void LogUnexpected(ILogger logger, string peer, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Peer {Peer}: {Reason}")]
    private static partial void LogSchemaHeldBack(ILogger logger, string peer, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Peer {Peer}: {Changes} changes held back until schemas agree ({Tables}); the other tables go on")]
    private static partial void LogHeldBack(ILogger logger, string peer, int changes, string tables);

    [LoggerMessage(Level = LogLevel.Information, Message = "Peer {Peer}: schemas agree again for {Tables}; reading its feed again from seq {Seq}")]
    private static partial void LogHeldReleased(ILogger logger, string peer, string tables, long seq);

    /// <summary>The schema hashes as one comparable string.</summary>
    private static string SchemaSignature(IReadOnlyDictionary<string, string> hashes) =>
        string.Join(';', hashes.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => h.Key + "=" + h.Value));
}
