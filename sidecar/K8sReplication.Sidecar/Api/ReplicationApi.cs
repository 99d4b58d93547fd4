using System.Buffers;
using System.Globalization;
using System.Text.Json;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Health;
using K8sReplication.Contracts.Wire;
using K8sReplication.Sidecar.ColdPath;
using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Engine;
using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Sidecar.Api;

/// <summary>
/// The replication port's endpoints (design §3.3, §3.5): change feed with long-poll, Merkle root/nodes/leaves,
/// rows by key, schema hashes. Read-only: nothing a peer sends here can change local data.
/// </summary>
internal static class ReplicationApi
{
    public const int MaxLimit = SidecarDefaults.MaxBatchSize;
    public const int DefaultLimit = 1000;

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet(Paths.Changes, (RequestDelegate)ChangesAsync);
        routes.MapGet(Paths.Merkle, (RequestDelegate)MerkleRootAsync);
        routes.MapGet(Paths.MerkleNodes, (RequestDelegate)MerkleNodesAsync);
        routes.MapGet(Paths.MerkleLeaves + "/{leaf}", (RequestDelegate)MerkleLeafAsync);
        routes.MapPost(Paths.Rows, (RequestDelegate)RowsAsync);
        routes.MapGet(Paths.Schema, (RequestDelegate)SchemaAsync);
        MerkleCompactApi.Map(routes);
    }

    internal static ReplicaStore Store(HttpContext context)
    {
        var engine = context.RequestServices.GetRequiredService<ReplicationEngine>();
        return engine.Store is { } store && engine.State is EngineState.Running or EngineState.ShuttingDown
            ? store
            : throw new BadRequestException(null, $"replica not available (engine {engine.State})", StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task ChangesAsync(HttpContext context)
    {
        var store = Store(context);
        var engine = context.RequestServices.GetRequiredService<ReplicationEngine>();
        var time = context.RequestServices.GetRequiredService<TimeProvider>();
        var after = RequestInput.Long(context, "after", 0, 0, long.MaxValue);
        var limit = (int)RequestInput.Long(context, "limit", DefaultLimit, 1, MaxLimit);
        var waitMs = RequestInput.Long(context, "wait", 0, 0, (long)SidecarDefaults.MaxWait.TotalMilliseconds);
        var maxBytes = RequestInput.Long(context, "maxBytes", long.MaxValue, 1024, long.MaxValue);
        SiteId? origin = null;
        if (context.Request.Query.TryGetValue("origin", out var originText))
        {
            origin = SiteId.TryParse(originText.ToString(), out var site)
                ? site
                : throw new BadRequestException("origin", $"{InputQuote.Quote(originText.ToString())} is not a site id (32 hex digits)");
        }

        var stopping = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var waitEnds = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var started = time.GetTimestamp();
        ChangeBatch batch;
        while (true)
        {
            // Take the signal before reading so a fold between the read and the wait still wakes us.
            var signal = engine.Signal.NextAsync();
            batch = store.ReadChanges(after, limit, origin, maxBytes);
            var left = TimeSpan.FromMilliseconds(waitMs) - time.GetElapsedTime(started);
            if (batch.Changes.Count > 0 || left <= TimeSpan.Zero || engine.State != EngineState.Running || stopping.IsCancellationRequested)
            {
                break;
            }

            // Nothing for this reader up to LastSeq (with an origin filter, entries of other sites were scanned and
            // skipped): the next read starts there instead of rescanning a range that grows for the whole wait.
            after = batch.LastSeq;

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

        await WriteFeedAsync(context, store, batch, time.GetUtcNow().ToUnixTimeMilliseconds(), maxBytes);
    }

    /// <summary>
    /// Writes a feed answer, ending the batch early once its encoded changes reach <paramref name="maxBytes"/> (at least
    /// one change is always sent, so a single large row still moves): a receiver bounds what it reads from a peer, and
    /// this keeps honest answers inside that bound. The next cursor is then the last change sent. Members that do not
    /// send <c>maxBytes</c> get the whole page, as before.
    /// </summary>
    private static async Task WriteFeedAsync(HttpContext context, ReplicaStore store, ChangeBatch batch, long now, long maxBytes)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("changes");
            writer.WriteStartArray();
            var lastSeq = batch.LastSeq;
            for (var i = 0; i < batch.Changes.Count; i++)
            {
                if (i > 0 && writer.BytesCommitted + writer.BytesPending >= maxBytes)
                {
                    lastSeq = batch.Changes[i - 1].Seq;
                    break;
                }

                JsonSerializer.Serialize(writer, WireMapping.ToWire(batch.Changes[i]), WireJsonContext.Default.WireChange);
            }

            writer.WriteEndArray();
            writer.WriteString("site", store.Site.ToString());
            writer.WriteNumber("hlc", store.Hlc);
            writer.WriteNumber("now", now);
            writer.WriteNumber("lastSeq", lastSeq);
            writer.WriteNumber("maxSeq", batch.MaxSeq);
            writer.WriteEndObject();
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }

    private static Task MerkleRootAsync(HttpContext context)
    {
        var store = Store(context);
        var tree = store.Merkle;
        return ApiResponses.JsonAsync(context, new MerkleRootResponse
        {
            Site = store.Site.ToString(),
            Root = Convert.ToHexStringLower(tree.Root),
            Depth = tree.Depth,
            Fanout = MerkleTree.Fanout,
            Now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeMilliseconds(),
        }, WireJsonContext.Default.MerkleRootResponse);
    }

    private static Task MerkleNodesAsync(HttpContext context)
    {
        var tree = Store(context).Merkle;
        var path = context.Request.Query["path"].ToString();
        if (path.Length >= tree.Depth || !path.All(c => char.IsAsciiHexDigitLower(c) || char.IsAsciiDigit(c)))
        {
            throw new BadRequestException("path", $"{InputQuote.Quote(path)} is not an inner node path (lowercase hex nibbles, shorter than depth {tree.Depth})");
        }

        return ApiResponses.JsonAsync(context, new MerkleNodesResponse
        {
            Path = path,
            Children = [.. tree.Children(path).Select(Convert.ToHexStringLower)],
        }, WireJsonContext.Default.MerkleNodesResponse);
    }

    private static Task MerkleLeafAsync(HttpContext context)
    {
        var tree = Store(context).Merkle;
        var text = context.Request.RouteValues["leaf"] as string;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var leaf) || leaf >= tree.LeafCount)
        {
            throw new BadRequestException("leaf", $"{InputQuote.Quote(text)} is not a leaf number (0..{tree.LeafCount - 1})");
        }

        return ApiResponses.JsonAsync(context, new MerkleLeafResponse
        {
            Leaf = leaf,
            Entries = [.. tree.Leaf(leaf).Select(WireMapping.ToWire)],
        }, WireJsonContext.Default.MerkleLeafResponse);
    }

    private static async Task RowsAsync(HttpContext context)
    {
        var store = Store(context);
        var body = await RequestInput.ReadBodyAsync(context);
        RowsRequest request;
        try
        {
            request = JsonSerializer.Deserialize(body, WireJsonContext.Default.RowsRequest)
                ?? throw new BadRequestException("body", "a JSON object is required");
        }
        catch (JsonException e)
        {
            throw new BadRequestException(string.IsNullOrEmpty(e.Path) ? "body" : e.Path.TrimStart('$', '.'), "malformed request: " + InputQuote.Abridge(e.Message));
        }

        if (!store.SchemaHashes.ContainsKey(request.Table ?? ""))
        {
            throw new BadRequestException("table", $"{InputQuote.Quote(request.Table)} is not a replicated table");
        }

        if (request.Keys is null || request.Keys.Count > SidecarDefaults.MaxRowKeysPerRequest)
        {
            throw new BadRequestException("keys", $"between 0 and {SidecarDefaults.MaxRowKeysPerRequest} keys are required");
        }

        IReadOnlyList<Change> rows;
        try
        {
            rows = store.ReadRows(request.Table!, request.Keys);
        }
        catch (ChangeRejectedException e)
        {
            throw new BadRequestException(e.Field, e.Message);
        }

        await ApiResponses.JsonAsync(context, new RowsResponse { Changes = [.. rows.Select(WireMapping.ToWire)] }, WireJsonContext.Default.RowsResponse);
    }

    private static Task SchemaAsync(HttpContext context)
    {
        var store = Store(context);
        return ApiResponses.JsonAsync(context, new SchemaResponse
        {
            Site = store.Site.ToString(),
            Tables = store.SchemaHashes,
        }, WireJsonContext.Default.SchemaResponse);
    }
}
