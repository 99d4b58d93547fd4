using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using K8sReplication.Contracts.Config;
using K8sReplication.Sidecar.Api;
using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Engine;
using K8sReplication.Sidecar.Peers;
using K8sReplication.Sidecar.Storage;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.HotPath;

/// <summary>
/// Tails one peer's change feed for ever: a fetcher long-polls from the cursor stored in the database and hands
/// batches through a small bounded channel to an applier, so the next fetch overlaps the current apply. The applier
/// stores the cursor in the same transaction as the rows, and every failure restarts the session from the stored
/// cursor: a crash or error can repeat a batch (skipped as duplicates) but never skip one.
/// </summary>
internal sealed partial class PeerTailer(ReplicationEngine engine, PeerClient client, TimeProvider time, ILogger logger)
{
    public const string CursorPrefix = "feed:";
    private const int PipelineDepth = 2;
    private static readonly TimeSpan SchemaRecheck = TimeSpan.FromSeconds(2);

    private PeerState Peer => client.Peer;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = new JitteredBackoff(SidecarDefaults.BackoffInitial, SidecarDefaults.BackoffMax);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (engine.Config.Current.Paused || engine.Store is null)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
                    continue;
                }

                if (!Peer.Breaker.TryAcquire())
                {
                    await Task.Delay(Max(Peer.Breaker.RemainingOpenTime, SidecarDefaults.BackoffInitial), time, cancellationToken);
                    continue;
                }

                await SessionAsync(backoff, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (SchemaHeldBackException e)
            {
                LogSchemaHeldBack(logger, Peer.Name, e.Message);
                await Task.Delay(SchemaRecheck, time, cancellationToken);
            }
            catch (Exception e) when (e is PeerUnavailableException or ChangeRejectedException)
            {
                Peer.RecordFailure(e.Message);
                Peer.CatchingUp = false;

                // An unreachable peer does not hold readiness back: being alone is reported, not a failure.
                Peer.InitialCatchUpSettled = true;
                LogPeerFailed(logger, Peer.Name, e.Message);
                await Task.Delay(backoff.Next(), time, cancellationToken);
            }
            catch (SqliteException e)
            {
                LogApplyFailed(logger, Peer.Name, e.Message);
                await Task.Delay(backoff.Next(), time, cancellationToken);
            }
        }
    }

    private async Task SessionAsync(JitteredBackoff backoff, CancellationToken cancellationToken)
    {
        var store = engine.Store!;
        var (schema, _) = await client.GetSchemaAsync(cancellationToken);
        if (schema.Site == store.Site.ToString())
        {
            throw new PeerUnavailableException($"peer {Peer.Name} is this member itself (site {schema.Site})", 400);
        }

        Peer.Site = schema.Site;
        Peer.RecordSuccess();
        var local = store.SchemaHashes;
        // A table the peer replicates and this member does not counts too: its changes are held back like a mismatch's.
        Peer.SchemaMismatches = [.. schema.Tables.Where(t => !local.TryGetValue(t.Key, out var h) || h != t.Value).Select(t => t.Key).Order(StringComparer.Ordinal)];

        var cursorKey = CursorPrefix + schema.Site;
        var cursor = long.TryParse(store.ReadCursor(cursorKey), NumberStyles.None, CultureInfo.InvariantCulture, out var c) ? c : 0;
        var origin = engine.Config.Current.Topology == Topology.FullMesh ? schema.Site : null;

        var channel = Channel.CreateBounded<FetchedBatch>(new BoundedChannelOptions(PipelineDepth)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = true,
        });
        using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var fetch = FetchAsync(channel.Writer, cursor, origin, session.Token);
        var apply = ApplyAsync(channel.Reader, cursorKey, schema.Tables, backoff, session.Token);
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

    private async Task FetchAsync(ChannelWriter<FetchedBatch> writer, long after, string? origin, CancellationToken cancellationToken)
    {
        try
        {
            var settings = engine.Config.Current;
            var limit = settings.BatchSize;
            var full = false;
            while (true)
            {
                settings = engine.Config.Current;
                var wait = full || !Peer.InitialCatchUpSettled ? TimeSpan.Zero : settings.Wait;
                var (response, _) = await client.GetChangesAsync(after, limit, wait, origin, cancellationToken);
                Peer.RecordSuccess();
                full = response.Changes.Count >= limit;
                Peer.CatchingUp = full;
                Peer.LagChanges = Math.Max(0, response.MaxSeq - response.LastSeq);
                if (response.Changes.Count > 0 || !Peer.InitialCatchUpSettled)
                {
                    await writer.WriteAsync(new FetchedBatch(response, full), cancellationToken);
                }

                after = response.LastSeq;

                // Catching up: grow batches (fewer round trips and transactions); caught up: back to the configured size.
                limit = full ? Math.Min(limit * 2, SidecarDefaults.MaxBatchSize) : settings.BatchSize;
            }
        }
        finally
        {
            writer.TryComplete();
        }
    }

    private async Task ApplyAsync(ChannelReader<FetchedBatch> reader, string cursorKey, IReadOnlyDictionary<string, string> senderHashes, JitteredBackoff backoff, CancellationToken cancellationToken)
    {
        await foreach (var batch in reader.ReadAllAsync(cancellationToken))
        {
            var response = batch.Response;
            if (response.Changes.Count > 0)
            {
                while (!engine.DatabaseCircuit.TryAcquire())
                {
                    await Task.Delay(Max(engine.DatabaseCircuit.RemainingOpenTime, SidecarDefaults.BackoffInitial), time, cancellationToken);
                }

                var changes = WireMapping.FromWire(response.Changes);
                var result = engine.Applier!.Apply(changes, cursorKey, response.LastSeq.ToString(CultureInfo.InvariantCulture), senderHashes, Peer.Name);
                if (!result.CursorStored)
                {
                    throw new SchemaHeldBackException($"{result.RejectedSchema} changes held back: schema differs for {string.Join(", ", Peer.SchemaMismatches)}");
                }

                var newest = response.Changes[^1].Hlc >> 16;
                Peer.LagSeconds = batch.Full ? Math.Max(0, (time.GetUtcNow().ToUnixTimeMilliseconds() - newest) / 1000.0) : 0;
            }
            else
            {
                Peer.LagSeconds = 0;
            }

            // A round trip and its apply worked: the next failure starts backing off from the bottom again.
            backoff.Reset();
            if (!batch.Full)
            {
                Peer.InitialCatchUpSettled = true;
            }
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Peer {Peer} feed failed: {Error}")]
    private static partial void LogPeerFailed(ILogger logger, string peer, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Applying from peer {Peer} failed: {Error}")]
    private static partial void LogApplyFailed(ILogger logger, string peer, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Peer {Peer}: {Reason}")]
    private static partial void LogSchemaHeldBack(ILogger logger, string peer, string reason);
}
