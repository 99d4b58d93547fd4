using System.Globalization;
using System.Text.Json;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Health;
using K8sReplication.Contracts.Wire;
using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Engine;
using K8sReplication.Sidecar.Storage;
using K8sReplication.Sidecar.Wire;

namespace K8sReplication.Sidecar.Serve;

/// <summary>
/// The replication port's endpoints: change feed with long-poll, Merkle root/nodes/leaves,
/// rows by key, schema hashes. Read-only: nothing a peer sends here can change local data.
/// </summary>
internal static class ReplicationApi
{
    public const int MaxLimit = SidecarDefaults.MaxBatchSize;
    public const int DefaultLimit = 1000;

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet(Paths.Changes, (RequestDelegate)ChangeFeedEndpoint.HandleAsync);
        routes.MapGet(Paths.Merkle, (RequestDelegate)MerkleRootAsync);
        routes.MapGet(Paths.MerkleNodes, (RequestDelegate)MerkleNodesAsync);
        routes.MapGet(Paths.MerkleLeaves + "/{leaf}", (RequestDelegate)MerkleLeafAsync);
        routes.MapPost(Paths.Rows, (RequestDelegate)RowsAsync);
        routes.MapGet(Paths.Schema, (RequestDelegate)SchemaAsync);
        MerkleCompactApi.Map(routes);
    }

    internal static ReplicaStore Store(HttpContext context)
    {
        var services = context.RequestServices;
        var engine = services.GetRequiredService<EngineStateMachine>();
        return services.GetRequiredService<StoreAccess>().TryGet(out var store) && engine.State is EngineState.Running or EngineState.ShuttingDown
            ? store
            : throw new BadRequestException(null, $"replica not available (engine {engine.State})", StatusCodes.Status503ServiceUnavailable);
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
