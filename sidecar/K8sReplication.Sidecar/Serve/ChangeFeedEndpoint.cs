using System.Buffers;
using System.Text.Json;
using K8sReplication.Contracts.Health;
using K8sReplication.Contracts.Wire;
using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Engine;
using K8sReplication.Sidecar.Metrics;
using K8sReplication.Sidecar.Resilience;
using K8sReplication.Sidecar.Storage;
using K8sReplication.Sidecar.Wire;

namespace K8sReplication.Sidecar.Serve;

/// <summary>
/// <c>GET /v1/changes</c>: the long-polled change feed. Answers in the binary feed format when asked
/// (<c>format=frames&amp;version=N</c>, N one of the versions it speaks) and in JSON otherwise (members of earlier versions, people with curl). A page
/// ends once its changes reach the reader's <c>maxBytes</c>. Requests for the same page share one encoding
/// (<see cref="FeedAnswerCache"/>), so serving N tailers does not cost N encodings.
/// </summary>
internal static class ChangeFeedEndpoint
{
    /// <summary>Largest <c>maxBytes</c> a reader may ask for: the upper bound of <c>hotPath.maxBatchBytes</c>.</summary>
    public const long MaxBatchBytes = 256L << 20;

    public static async Task HandleAsync(HttpContext context)
    {
        var store = ReplicationApi.Store(context);
        var services = context.RequestServices;
        var engine = services.GetRequiredService<EngineStateMachine>();
        var changed = services.GetRequiredService<ChangeSignal>();
        var cache = services.GetRequiredService<FeedAnswerCache>();
        var time = services.GetRequiredService<TimeProvider>();
        var feedMetrics = services.GetRequiredService<SidecarMetrics>().Feed;
        var format = Format(context);
        var after = RequestInput.Long(context, "after", 0, 0, long.MaxValue);
        var limit = (int)RequestInput.Long(context, "limit", ReplicationApi.DefaultLimit, 1, ReplicationApi.MaxLimit);
        var waitMs = RequestInput.Long(context, "wait", 0, 0, (long)SidecarDefaults.MaxWait.TotalMilliseconds);
        // Readers of earlier versions send no maxBytes and get whole pages; a reader asking for more than the largest
        // batch any member may be configured for is refused like any out-of-range value.
        var maxBytes = RequestInput.Long(context, "maxBytes", long.MaxValue, 1024, MaxBatchBytes);
        SiteId? origin = null;
        if (context.Request.Query.TryGetValue("origin", out var originText))
        {
            origin = SiteId.TryParse(originText.ToString(), out var site)
                ? site
                : throw new BadRequestException("origin", $"{InputQuote.Quote(originText.ToString())} is not a site id (32 hex digits)");
        }

        SiteId? reader = null;
        if (context.Request.Query.TryGetValue("reader", out var readerText))
        {
            reader = SiteId.TryParse(readerText.ToString(), out var site)
                ? site
                : throw new BadRequestException("reader", $"{InputQuote.Quote(readerText.ToString())} is not a site id (32 hex digits)");
        }

        var applied = RequestInput.Long(context, "applied", after, 0, long.MaxValue);

        // A request from S confirms the reader holds every local change up to S (it stores its cursor as it applies,
        // and fetched them: a drain waits for no more). A reader that says how far it applied is also tracked by that,
        // which tombstone collection needs exactly.
        if (origin is null || origin == store.Site)
        {
            var delivery = services.GetRequiredService<DeliveryTracker>();
            delivery.Confirmed(after);
            if (reader is { } r)
            {
                delivery.Applied(r, Math.Min(applied, after));
            }
        }

        // A reader whose cursor is below a collected tombstone never applied it (every member counted in the collection
        // horizon had read past it): it must resynchronise. Members of earlier versions say nothing about themselves and
        // are not told.
        if (reader is { } stale && after > 0 && store.CollectedMarks() is var (own, all)
            && (origin == store.Site ? own : origin is null ? all : 0) is var mark && after < mark)
        {
            var appliedYours = long.TryParse(store.ReadCursor(CursorTable.FeedPrefix + stale), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out var seq) ? seq : 0;
            await ApiResponses.JsonAsync(context, new StaleReaderResponse
            {
                Error = $"this member collected deletes up to seq {mark} of its feed that this reader, at seq {after}, never applied "
                    + "(away longer than tombstoneTtl, or not a member then); the reader must resynchronise",
                Field = "after",
                AppliedYours = appliedYours,
                Uncertain = store.UncertainUpTo,
            }, WireJsonContext.Default.StaleReaderResponse, StatusCodes.Status410Gone);
            return;
        }

        // Long-polls go on while the sidecar drains: a peer must still be able to fetch what only this member holds.
        var stopping = services.GetRequiredService<DrainState>().FeedStopping;
        using var waitEnds = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var started = time.GetTimestamp();
        var horizon = store.Horizons.Own;
        FeedAnswer answer;
        while (true)
        {
            // Take the signal before reading so a fold between the read and the wait still wakes us.
            var signal = origin == store.Site ? changed.NextOwnAsync() : changed.NextAsync();
            var from = after;
            var encoded = false;
            FeedAnswer Encode()
            {
                encoded = true;
                var batch = store.ReadChanges(from, limit, origin, maxBytes);
                return format > 0 ? Binary(batch, store, maxBytes, format) : Json(batch, store, time.GetUtcNow().ToUnixTimeMilliseconds(), maxBytes);
            }

            // Only byte-bounded pages are shared: a reader of an earlier version asks for whole pages, kept by nobody.
            answer = maxBytes == long.MaxValue ? Encode() : await cache.GetOrEncodeAsync(new FeedAnswerKey(format, from, origin, maxBytes, store.HistoryEpoch), limit, Encode);
            // Read for this request or for another one: either way this reader is catching up when it stops short.
            store.NoteServedPage(answer.Changes, answer.LastSeq, answer.MaxSeq);
            feedMetrics.Read(shared: !encoded, answer.Changes);
            var left = TimeSpan.FromMilliseconds(waitMs) - time.GetElapsedTime(started);
            // A reader that takes horizons (format 2, a member) also gets an answer once this member's horizon moved.
            var horizonMoved = format >= 2 && reader is not null && store.Horizons.Own != horizon;
            if (answer.Changes > 0 || horizonMoved || left <= TimeSpan.Zero || engine.State != EngineState.Running || stopping.IsCancellationRequested)
            {
                break;
            }

            // Nothing for this reader up to LastSeq (with an origin filter, entries of other sites were scanned and
            // skipped): the next read starts there instead of rescanning a range that grows for the whole wait.
            after = answer.LastSeq;

            try
            {
                await signal.WaitAsync(left, time, waitEnds.Token);
            }
            catch (TimeoutException)
            {
                // Deadline reached: answer with what there is (nothing).
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
            {
                // Shutting down: answer now so the server drains quickly; the peer resumes from its cursor.
            }
        }

        feedMetrics.Answered(binary: answer.FramedVersion > 0, answer.Changes);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = answer.ContentType;
        if (answer.FramedVersion > 0)
        {
            // The trailer's clock readings and horizon are this moment's, whenever the page was encoded.
            await FeedWriter.WriteResponseAsync(context.Response.Body, answer.Body, answer.FramedVersion, store.Hlc, time.GetUtcNow().ToUnixTimeMilliseconds(),
                answer.LastSeq, answer.MaxSeq, store.Horizons.Own, length => context.Response.ContentLength = length, context.RequestAborted);
            return;
        }

        context.Response.ContentLength = answer.Body.Length;
        await context.Response.Body.WriteAsync(answer.Body, context.RequestAborted);
    }

    /// <summary>
    /// 0 for JSON, else the binary format's version asked for (1 when not named: the first readers of the binary format
    /// always named it); refuses an unknown format or version naming what this member speaks.
    /// </summary>
    private static int Format(HttpContext context)
    {
        if (FaultPoints.IsOn(FaultPoints.FeedJsonOnly))
        {
            return 0;
        }

        var format = context.Request.Query["format"].ToString();
        switch (format)
        {
            case "" or "json":
                return 0;
            case FeedFormat.QueryValue:
                var version = RequestInput.Long(context, "version", FeedFormat.OldestVersion, 0, int.MaxValue);
                if (FaultPoints.IsOn(FaultPoints.FeedVersion1Only) && version != 1)
                {
                    throw new BadRequestException("version", $"feed format version {version} is not supported; this member speaks version 1");
                }

                return version is >= FeedFormat.OldestVersion and <= FeedFormat.Version
                    ? (int)version
                    : throw new BadRequestException("version",
                        $"feed format version {version} is not supported; this member speaks versions {FeedFormat.OldestVersion} to {FeedFormat.Version}");
            default:
                throw new BadRequestException("format", $"{InputQuote.Quote(format)} is not a feed format (json or {FeedFormat.QueryValue})");
        }
    }

    private static FeedAnswer Binary(ChangeBatch batch, ReplicaStore store, long maxBytes, int version)
    {
        var buffer = FeedWriter.EncodeShared(batch, store.Site, maxBytes, out var sent, out var lastSeq, version);
        return new FeedAnswer(buffer.Written, FeedFormat.ContentType + "; version=" + version.ToString(System.Globalization.CultureInfo.InvariantCulture), sent, lastSeq)
        {
            FramedVersion = version,
            MaxSeq = batch.MaxSeq,
        };
    }

    /// <summary>
    /// The JSON form, with the same byte budget: the batch ends once its encoded changes reach <paramref name="maxBytes"/>
    /// (at least one change), and the next cursor is then the last change sent.
    /// </summary>
    private static FeedAnswer Json(ChangeBatch batch, ReplicaStore store, long now, long maxBytes)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        var sent = 0;
        var lastSeq = batch.LastSeq;
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("changes");
            writer.WriteStartArray();
            for (; sent < batch.Changes.Count; sent++)
            {
                if (sent > 0 && writer.BytesCommitted + writer.BytesPending >= maxBytes)
                {
                    lastSeq = batch.Changes[sent - 1].Seq;
                    break;
                }

                JsonSerializer.Serialize(writer, WireMapping.ToWire(batch.Changes[sent]), WireJsonContext.Default.WireChange);
            }

            writer.WriteEndArray();
            writer.WriteString("site", store.Site.ToString());
            writer.WriteNumber("hlc", store.Hlc);
            writer.WriteNumber("now", now);
            writer.WriteNumber("lastSeq", lastSeq);
            writer.WriteNumber("maxSeq", batch.MaxSeq);
            writer.WriteEndObject();
        }

        return new FeedAnswer(buffer.WrittenMemory, "application/json", sent, lastSeq) { MaxSeq = batch.MaxSeq };
    }
}
