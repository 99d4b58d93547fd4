using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using K8sReplication.Bench.Mesh;
using K8sReplication.Bench.Suite;
using K8sReplication.Contracts;
using K8sReplication.Sidecar.Wire;

namespace K8sReplication.Bench.Cases;

/// <summary>
/// Change-feed compression: real feed pages served by one running sidecar (the binary form a member reads, and the
/// JSON form for reference), compressed with each <see cref="FeedCodec"/> in this process, one thread. Per codec: the
/// compressed size, and the compress and decompress CPU per page (median of many timed runs after a warm-up).
/// Two kinds of rows: the standard bench rows (36-character UUID text key, 100 random bytes) and JSON-like text
/// documents of about 200 bytes, as apps that store text have.
/// </summary>
internal static class CompressionCase
{
    /// <summary>Changes per page, the sidecar's default <c>hotPath.batchSize</c>.</summary>
    public const int PageRows = 1000;

    /// <summary>Changes in a small page: what a member reads at a low, steady write rate.</summary>
    public const int SmallPageRows = 10;

    /// <summary>Full pages fetched per kind of row; the timed runs go round them.</summary>
    private const int Pages = 3;

    private const long MaxBytes = 1 << 20;

    private static readonly string[] Statuses = ["active", "pending", "suspended", "closed"];
    private static readonly string[] Plans = ["free", "team", "business", "enterprise"];
    private static readonly string[] Regions = ["eu-west-1", "us-east-1", "ap-south-1"];

    /// <summary>Pages of one kind of row in one format.</summary>
    public sealed record PageSet(string Rows, string Format, int RowsPerPage, IReadOnlyList<byte[]> Pages)
    {
        public double RawBytesPerPage => Pages.Average(p => p.Length);
    }

    /// <summary>One codec on one page set.</summary>
    /// <param name="Set">The pages compressed.</param>
    /// <param name="Codec">The codec and level.</param>
    /// <param name="Shipped">Whether the sidecar can negotiate it today.</param>
    /// <param name="CompressedBytesPerPage">Mean compressed size of the set's pages.</param>
    /// <param name="CompressUs">Compress CPU per page, one value per timed run (µs); empty when not timed.</param>
    /// <param name="DecompressUs">Decompress CPU per page, one value per timed run (µs); empty when not timed.</param>
    /// <param name="CompressCpuUs">Process CPU time over the timed compress runs, per run (µs): a cross-check of the
    /// median that a busy machine cannot inflate by taking the core away mid-run.</param>
    /// <param name="DecompressCpuUs">The same for the decompress runs.</param>
    public sealed record CodecResult(PageSet Set, string Codec, bool Shipped, double CompressedBytesPerPage, Sample CompressUs, Sample DecompressUs,
        double CompressCpuUs, double DecompressCpuUs);

    public static async Task<List<CodecResult>> RunAsync(SuiteOptions o)
    {
        var (blob, text, small, blobJson, textJson) = await FetchPagesAsync(o);
        var results = new List<CodecResult>();
        var codecs = FeedCodec.All();
        try
        {
            foreach (var codec in codecs)
            {
                foreach (var set in new[] { blob, text, small })
                {
                    results.Add(Measure(codec, set, timed: true, o.Quick));
                }

                foreach (var set in new[] { blobJson, textJson })
                {
                    results.Add(Measure(codec, set, timed: false, o.Quick));
                }
            }
        }
        finally
        {
            foreach (var codec in codecs)
            {
                codec.Dispose();
            }
        }

        return results;
    }

    /// <summary>
    /// One member with two tables: t (the bench rows) and doc (JSON-like text). The rows of each table are written in
    /// 1000-row transactions; the feed's pages are then read with the query a member sends (binary) and as JSON.
    /// </summary>
    private static async Task<(PageSet Blob, PageSet Text, PageSet Small, PageSet BlobJson, PageSet TextJson)> FetchPagesAsync(SuiteOptions o)
    {
        var folder = Path.Combine(o.Dir, "compression");
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        await using var node = new BenchNode("n0", folder);
        node.CreateDatabase(BenchNode.Schema + "; CREATE TABLE doc(k TEXT PRIMARY KEY, v TEXT)");
        await node.StartAsync();
        await node.WaitReadyAsync();
        using var http = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = System.Net.DecompressionMethods.None })
        {
            Timeout = TimeSpan.FromSeconds(60),
        };

        using (var c = node.Open())
        {
            LimitCases.WriteRows(c, "t", Pages * PageRows, upsert: false);
        }

        var (blob, blobJson, textAfter) = await ReadPagesAsync(http, node, 0, PageRows, Pages, "bench rows");
        using (var c = node.Open())
        {
            WriteDocuments(c, Pages * PageRows);
        }

        var (text, textJson, _) = await ReadPagesAsync(http, node, textAfter, PageRows, Pages, "JSON-text rows");
        var (small, _, _) = await ReadPagesAsync(http, node, textAfter, SmallPageRows, 1, "JSON-text rows");
        Directory.Delete(folder, recursive: true);
        return (blob, text, small, blobJson, textJson);
    }

    /// <summary>
    /// <paramref name="count"/> consecutive pages of <paramref name="rowsPerPage"/> changes after
    /// <paramref name="after"/>, each in both forms; the JSON form's <c>lastSeq</c> is the next cursor. Returns the
    /// cursor after the last page.
    /// </summary>
    private static async Task<(PageSet Binary, PageSet Json, long Next)> ReadPagesAsync(HttpClient http, BenchNode node, long after, int rowsPerPage,
        int count, string rows)
    {
        var binary = new List<byte[]>();
        var json = new List<byte[]>();
        var deadline = Stopwatch.StartNew();
        while (binary.Count < count)
        {
            var query = $"{Paths.Changes}?after={after}&limit={rowsPerPage}&maxBytes={MaxBytes}";
            var jsonPage = await GetAsync(http, new Uri(node.ReplicationUrl, query + "&format=json"));
            using var doc = JsonDocument.Parse(jsonPage);
            var sent = doc.RootElement.GetProperty("changes").GetArrayLength();
            if (sent < rowsPerPage)
            {
                // The capture triggers have committed every row, but give a slow machine a moment to serve them.
                if (deadline.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new InvalidOperationException($"feed after {after} served {sent} of {rowsPerPage} changes");
                }

                await Task.Delay(50);
                continue;
            }

            binary.Add(await GetAsync(http, new Uri(node.ReplicationUrl, query + $"&format={FeedFormat.QueryValue}&version={FeedFormat.Version}")));
            json.Add(jsonPage);
            after = doc.RootElement.GetProperty("lastSeq").GetInt64();
        }

        return (new PageSet(rows, "binary", rowsPerPage, binary), new PageSet(rows, "JSON", rowsPerPage, json), after);
    }

    private static async Task<byte[]> GetAsync(HttpClient http, Uri url)
    {
        using var response = await http.GetAsync(url);
        var body = await response.Content.ReadAsByteArrayAsync();
        if (!response.IsSuccessStatusCode || response.Content.Headers.ContentEncoding.Count > 0)
        {
            throw new InvalidOperationException($"GET {url}: {(int)response.StatusCode}, encoding [{string.Join(',', response.Content.Headers.ContentEncoding)}]");
        }

        return body;
    }

    /// <summary>
    /// Rows of the doc table: a UUID key and a JSON document of about 200 bytes whose field names repeat and whose
    /// values vary (ids, counters, timestamps, a few enumerations), seeded so every run writes the same documents.
    /// </summary>
    private static void WriteDocuments(Microsoft.Data.Sqlite.SqliteConnection c, int rows)
    {
        var random = new Random(7);
        var start = new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "INSERT INTO doc(k, v) VALUES (@k, @v)";
        var pk = cmd.Parameters.Add("@k", Microsoft.Data.Sqlite.SqliteType.Text);
        var pv = cmd.Parameters.Add("@v", Microsoft.Data.Sqlite.SqliteType.Text);
        for (var begin = 0; begin < rows; begin += PageRows)
        {
            using var tx = c.BeginTransaction();
            cmd.Transaction = tx;
            for (var i = begin; i < Math.Min(rows, begin + PageRows); i++)
            {
                var user = random.Next(1, 1_000_000);
                var json = new StringBuilder()
                    .Append(CultureInfo.InvariantCulture, $"{{\"userId\":{user},\"name\":\"user{user}\",\"email\":\"user{user}@example.com\",")
                    .Append(CultureInfo.InvariantCulture, $"\"status\":\"{Statuses[random.Next(Statuses.Length)]}\",\"plan\":\"{Plans[random.Next(Plans.Length)]}\",")
                    .Append(CultureInfo.InvariantCulture, $"\"region\":\"{Regions[random.Next(Regions.Length)]}\",\"balance\":{random.Next(0, 100_000) / 100.0:0.00},")
                    .Append(CultureInfo.InvariantCulture, $"\"logins\":{random.Next(0, 5000)},\"updatedAt\":\"{start.AddSeconds(random.Next(0, 86_400 * 30)):yyyy-MM-ddTHH:mm:ssZ}\"}}")
                    .ToString();
                pk.Value = Guid.NewGuid().ToString();
                pv.Value = json;
                cmd.ExecuteNonQuery();
            }

            tx.Commit();
        }
    }

    /// <summary>
    /// Sizes over every page of the set; when <paramref name="timed"/>, compress and decompress CPU per page: a
    /// warm-up, then timed runs going round the pages until the run count or the time budget is reached.
    /// </summary>
    private static CodecResult Measure(FeedCodec codec, PageSet set, bool timed, bool quick)
    {
        var output = new byte[codec.Bound(set.Pages.Max(p => p.Length))];
        var check = new byte[set.Pages.Max(p => p.Length)];
        var compressed = new List<byte[]>();
        foreach (var page in set.Pages)
        {
            var n = codec.Compress(page, output);
            compressed.Add(output[..n]);
            var back = codec.Decompress(compressed[^1], check);
            if (!check.AsSpan(0, back).SequenceEqual(page))
            {
                throw new InvalidOperationException($"{codec.Name}: a {set.Rows} page did not survive the round trip");
            }
        }

        var compress = new Sample("µs");
        var decompress = new Sample("µs");
        double compressCpu = double.NaN, decompressCpu = double.NaN;
        if (timed)
        {
            var runs = quick ? 60 : 300;
            var budget = TimeSpan.FromSeconds(quick ? 0.3 : 1.5);
            compressCpu = Time(compress, runs, budget, i => codec.Compress(set.Pages[i % set.Pages.Count], output));
            decompressCpu = Time(decompress, runs, budget, i => codec.Decompress(compressed[i % compressed.Count], check));
        }

        return new CodecResult(set, codec.Name, codec.Shipped, compressed.Average(c => c.Length), compress, decompress, compressCpu, decompressCpu);
    }

    /// <summary>Adds each timed run's wall time (µs) to <paramref name="into"/>; returns process CPU µs per timed run.</summary>
    private static double Time(Sample into, int runs, TimeSpan budget, Func<int, int> body)
    {
        // Warm-up: long enough for tiered JIT to optimise the managed codecs and for every codec to size its buffers.
        var warm = Stopwatch.StartNew();
        for (var i = 0; i < 50 || (warm.Elapsed < TimeSpan.FromMilliseconds(250) && i < 5000); i++)
        {
            body(i);
        }

        var total = Stopwatch.StartNew();
        var cpu0 = Environment.CpuUsage.TotalTime;
        var done = 0;
        for (; done < runs && (done < 20 || total.Elapsed < budget); done++)
        {
            var start = Stopwatch.GetTimestamp();
            body(done);
            into.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }

        return (Environment.CpuUsage.TotalTime - cpu0).TotalMicroseconds / done;
    }
}
