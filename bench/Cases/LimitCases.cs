using System.Diagnostics;
using System.Net;
using K8sReplication.Bench.Suite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace K8sReplication.Bench.Cases;

/// <summary>
/// The physical limit on this machine, measured in the same run on the same disk: raw SQLite batched insert and upsert
/// (prepared statements, 1000-row transactions, WAL, synchronous=NORMAL; UUID text keys, 100-byte blobs — the rows
/// every replication case writes) and the loopback HTTP round trip to a tiny Kestrel echo.
/// </summary>
internal static class LimitCases
{
    public sealed record Limits(Sample InsertRate, Sample UpsertRate, Sample InsertSeconds, Sample RttMs);

    public static async Task<Limits> RunAsync(SuiteOptions o)
    {
        var insert = new Sample("rows/s");
        var upsert = new Sample("rows/s");
        var insertSeconds = new Sample("s");
        for (var rep = 0; rep < o.Reps; rep++)
        {
            var s = Write(Path.Combine(o.Dir, "limit-insert.db"), o.Rows, upsert: false);
            insert.Add(o.Rows / s);
            insertSeconds.Add(s);
            upsert.Add(o.Rows / Write(Path.Combine(o.Dir, "limit-upsert.db"), o.Rows, upsert: true));
        }

        var rtt = new Sample("ms");
        for (var rep = 0; rep < o.Reps; rep++)
        {
            rtt.Add(await LoopbackRttMsAsync(o.Quick ? 300 : 2000));
        }

        return new Limits(insert, upsert, insertSeconds, rtt);
    }

    public static SqliteConnection OpenApp(string path)
    {
        var c = new SqliteConnection($"Data Source={path};Pooling=False;Default Timeout=30");
        c.Open();
        Exec(c, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;");
        return c;
    }

    public static void Exec(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public static void DeleteDb(string path)
    {
        foreach (var f in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(f);
        }
    }

    public static byte[] Payload()
    {
        var b = new byte[100];
        Random.Shared.NextBytes(b);
        return b;
    }

    /// <summary>Writes <paramref name="rows"/> new rows in 1000-row transactions through <paramref name="c"/>; returns seconds.</summary>
    public static double WriteRows(SqliteConnection c, string table, int rows, bool upsert, int batch = 1000)
    {
        var keys = Enumerable.Range(0, rows).Select(_ => Guid.NewGuid().ToString()).ToArray();
        var payloads = Enumerable.Range(0, rows).Select(_ => Payload()).ToArray();
        using var cmd = c.CreateCommand();
        cmd.CommandText = upsert
            ? $"INSERT INTO {table}(k, v) VALUES (@k, @v) ON CONFLICT (k) DO UPDATE SET v = excluded.v"
            : $"INSERT INTO {table}(k, v) VALUES (@k, @v)";
        var pk = cmd.Parameters.Add("@k", SqliteType.Text);
        var pv = cmd.Parameters.Add("@v", SqliteType.Blob);
        var sw = Stopwatch.StartNew();
        for (var start = 0; start < rows; start += batch)
        {
            using var tx = c.BeginTransaction();
            cmd.Transaction = tx;
            for (var i = start; i < Math.Min(rows, start + batch); i++)
            {
                pk.Value = keys[i];
                pv.Value = payloads[i];
                cmd.ExecuteNonQuery();
            }

            tx.Commit();
        }

        return sw.Elapsed.TotalSeconds;
    }

    private static double Write(string path, int rows, bool upsert)
    {
        DeleteDb(path);
        using var c = OpenApp(path);
        Exec(c, "CREATE TABLE t(k TEXT PRIMARY KEY, v BLOB)");
        var s = WriteRows(c, "t", rows, upsert);
        c.Close();
        DeleteDb(path);
        return s;
    }

    /// <summary>Median round trip of sequential GETs to a Kestrel echo on 127.0.0.1:0 over one kept-alive connection.</summary>
    private static async Task<double> LoopbackRttMsAsync(int requests)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using var app = builder.Build();
        app.MapGet("/echo", (HttpContext ctx) => ctx.Response.WriteAsync("ok"));
        await app.StartAsync();
        var url = app.Urls.First() + "/echo";
        using var http = new HttpClient();
        for (var i = 0; i < 50; i++)
        {
            await http.GetStringAsync(new Uri(url)); // warm-up: JIT and connection
        }

        var times = new double[requests];
        for (var i = 0; i < requests; i++)
        {
            var sw = Stopwatch.StartNew();
            await http.GetStringAsync(new Uri(url));
            times[i] = sw.Elapsed.TotalMilliseconds;
        }

        await app.StopAsync();
        Array.Sort(times);
        return times[requests / 2];
    }
}
