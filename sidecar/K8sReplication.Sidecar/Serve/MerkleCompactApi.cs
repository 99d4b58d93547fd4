using System.Globalization;
using K8sReplication.Contracts;
using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Storage;
using K8sReplication.Sidecar.Wire;

namespace K8sReplication.Sidecar.Serve;

/// <summary>
/// The compact anti-entropy endpoints (<see cref="CompactFormat"/>): salted short digests of many Merkle nodes per
/// request, salted row fingerprints of many leaves, and rows addressed by (leaf, fingerprint). Read-only, like the
/// JSON endpoints they sit beside; a malformed request is a 400 naming the field.
/// </summary>
internal static class MerkleCompactApi
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost(Paths.MerkleCompactNodes, (RequestDelegate)NodesAsync);
        routes.MapPost(Paths.MerkleCompactLeaves, (RequestDelegate)LeavesAsync);
        routes.MapPost(Paths.MerkleCompactRows, (RequestDelegate)RowsAsync);
    }

    private static async Task NodesAsync(HttpContext context)
    {
        var tree = ReplicationApi.Store(context).Merkle;
        var body = await RequestInput.ReadBodyAsync(context);
        var answer = Parse(body, (ref CompactReader reader, int width, byte[] salt) =>
        {
            var level = reader.Byte("level");
            if (level >= tree.Depth)
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"level: {level} has no children (depth {tree.Depth})"));
            }

            var parents = Ascending(ref reader, CompactFormat.MaxNodesPerRequest, 1 << (4 * level), "nodes");
            var writer = new CompactWriter(4 + (parents.Count * MerkleTree.Fanout * width));
            writer.Byte(CompactFormat.Version);
            writer.Byte((byte)width);
            writer.VarInt(parents.Count);
            foreach (var parent in parents)
            {
                for (var i = 0; i < MerkleTree.Fanout; i++)
                {
                    writer.Fingerprint(SaltedDigest.Of(salt, tree.Node(level + 1, (parent * MerkleTree.Fanout) + i), width), width);
                }
            }

            return writer;
        });
        await WriteAsync(context, answer);
    }

    private static async Task LeavesAsync(HttpContext context)
    {
        var tree = ReplicationApi.Store(context).Merkle;
        var body = await RequestInput.ReadBodyAsync(context);
        var answer = Parse(body, (ref CompactReader reader, int width, byte[] salt) =>
        {
            var leaves = Ascending(ref reader, CompactFormat.MaxLeavesPerRequest, tree.LeafCount, "leaves");
            var writer = new CompactWriter();
            writer.Byte(CompactFormat.Version);
            writer.Byte((byte)width);
            writer.VarInt(leaves.Count);
            foreach (var leaf in leaves)
            {
                var entries = tree.Leaf(leaf);
                writer.VarInt(entries.Count);
                foreach (var entry in entries)
                {
                    writer.Fingerprint(SaltedDigest.OfRow(salt, entry, width), width);
                }
            }

            return writer;
        });
        await WriteAsync(context, answer);
    }

    private static async Task RowsAsync(HttpContext context)
    {
        var store = ReplicationApi.Store(context);
        var tree = store.Merkle;
        var body = await RequestInput.ReadBodyAsync(context);
        var answer = Parse(body, (ref CompactReader reader, int width, byte[] salt) =>
        {
            // Rows whose fingerprint is asked for, found by re-reading their leaves: a row that changed since the
            // peer listed it is left out (its next round sees the new version).
            var leafCount = reader.Count(CompactFormat.MaxLeavesPerRequest, 2, "leaves");
            var wanted = new Dictionary<string, List<byte[]>>(StringComparer.Ordinal);
            var previous = -1;
            var total = 0;
            for (var l = 0; l < leafCount; l++)
            {
                var leaf = reader.VarInt(tree.LeafCount - 1, "leaf");
                if (leaf <= previous)
                {
                    throw new FormatException("leaves: not strictly ascending");
                }

                previous = leaf;
                var count = reader.Count(SidecarDefaults.MaxRowKeysPerRequest - total, width, "fingerprints");
                total += count;
                var fingerprints = new HashSet<ulong>(count);
                for (var i = 0; i < count; i++)
                {
                    fingerprints.Add(reader.Fingerprint(width, "fingerprint"));
                }

                foreach (var entry in tree.Leaf(leaf))
                {
                    if (fingerprints.Contains(SaltedDigest.OfRow(salt, entry, width)))
                    {
                        (wanted.TryGetValue(entry.Table, out var keys) ? keys : wanted[entry.Table] = []).Add(entry.Key);
                    }
                }
            }

            var rows = new List<Change>();
            foreach (var (table, keys) in wanted)
            {
                if (store.SchemaHashes.ContainsKey(table))
                {
                    rows.AddRange(store.ReadRows(table, keys));
                }
            }

            return CompactRowsEncoder.Encode(rows);
        });
        await WriteAsync(context, answer);
    }

    private delegate CompactWriter BodyHandler(ref CompactReader reader, int width, byte[] salt);

    /// <summary>Reads the common header, then the endpoint's part; a broken request is a 400 naming the field.</summary>
    private static CompactWriter Parse(byte[] body, BodyHandler handle)
    {
        try
        {
            var reader = new CompactReader(body);
            var version = reader.Byte("version");
            if (version != CompactFormat.Version)
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"version: {version}; this member speaks version {CompactFormat.Version}"));
            }

            var width = reader.Byte("width");
            if (width is < CompactFormat.MinWidth or > CompactFormat.MaxWidth)
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"width: {width} is outside {CompactFormat.MinWidth}..{CompactFormat.MaxWidth}"));
            }

            var salt = reader.Bytes(CompactFormat.SaltSize, "salt").ToArray();
            var answer = handle(ref reader, width, salt);
            reader.End("request");
            return answer;
        }
        catch (FormatException e)
        {
            throw new BadRequestException("body", InputQuote.Abridge(e.Message));
        }
    }

    /// <summary>A varint count (at least one) then that many strictly ascending numbers below <paramref name="bound"/>.</summary>
    private static List<int> Ascending(ref CompactReader reader, int max, int bound, string field)
    {
        var count = reader.Count(max, 1, field);
        if (count == 0)
        {
            throw new FormatException(field + ": none asked for");
        }

        var result = new List<int>(count);
        for (var i = 0; i < count; i++)
        {
            var value = reader.VarInt(bound - 1, field);
            if (result.Count > 0 && value <= result[^1])
            {
                throw new FormatException(field + ": not strictly ascending");
            }

            result.Add(value);
        }

        return result;
    }

    private static async Task WriteAsync(HttpContext context, CompactWriter answer)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = CompactFormat.ContentType;
        context.Response.ContentLength = answer.Length;
        await context.Response.Body.WriteAsync(answer.Written, context.RequestAborted);
    }
}
