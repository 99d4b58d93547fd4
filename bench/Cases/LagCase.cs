using System.Diagnostics;
using K8sReplication.Bench.Mesh;
using K8sReplication.Bench.Suite;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Bench.Cases;

/// <summary>
/// Single-row autocommit writes at a fixed rate on member 0 into lag(id, ts) where ts is the writer's monotonic
/// clock; a reader thread on member 1's database watches PRAGMA data_version every millisecond and, on change, reads
/// the new rows: lag = time seen − ts (includes up to ~1 ms of polling). Also samples both sidecars' CPU and RSS.
/// </summary>
internal static class LagCase
{
    public const string Schema = BenchNode.Schema + "; CREATE TABLE lag(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL)";

    public sealed record Result(Sample P50, Sample P99, Sample Max, Sample AchievedRate, Sample CpuPercent, Sample RssMb, Sample Missing);

    public static Result Run(BenchMesh mesh, SuiteOptions o)
    {
        var r = new Result(new Sample("ms"), new Sample("ms"), new Sample("ms"), new Sample("commits/s"), new Sample("% of one core"), new Sample("MB"), new Sample("rows"));
        for (var rep = 0; rep < o.Reps; rep++)
        {
            var total = (int)(o.LagRate * o.LagDuration.TotalSeconds);
            var firstId = (rep + 1) * 10_000_000L;
            var lags = new List<double>(total);
            using var stop = new CancellationTokenSource();
            var reader = new Thread(() => Read(mesh[1], firstId, firstId + total - 1, lags, stop.Token)) { IsBackground = true };
            reader.Start();
            var cpu0 = mesh.Nodes.Select(n => ProcessMetrics.CpuSeconds(n.Pid)).ToArray();
            var sw = Stopwatch.StartNew();
            using (var c = mesh[0].Open())
            using (var cmd = c.CreateCommand())
            {
                cmd.CommandText = "INSERT INTO lag(id, ts) VALUES (@id, @ts)";
                var pid = cmd.Parameters.Add("@id", SqliteType.Integer);
                var pts = cmd.Parameters.Add("@ts", SqliteType.Integer);
                for (var i = 0; i < total; i++)
                {
                    var due = TimeSpan.FromSeconds(i / (double)o.LagRate);
                    // Sleep until the row is due, like an app between requests: no spinning, which on two cores
                    // would take one of them from the processes measured. A row less than a millisecond early goes now.
                    var wait = due - sw.Elapsed;
                    if (wait >= TimeSpan.FromMilliseconds(1))
                    {
                        Thread.Sleep(wait);
                    }

                    pid.Value = firstId + i;
                    pts.Value = Stopwatch.GetTimestamp();
                    cmd.ExecuteNonQuery();
                }
            }

            var writeSeconds = sw.Elapsed.TotalSeconds;
            var rss = mesh.Nodes.Max(n => ProcessMetrics.RssMb(n.Pid));
            var cpu = mesh.Nodes.Select((n, i) => ProcessMetrics.CpuSeconds(n.Pid) - cpu0[i]).Max() / writeSeconds * 100;
            reader.Join(TimeSpan.FromSeconds(60));
            stop.Cancel();
            reader.Join();
            double[] sorted;
            lock (lags)
            {
                sorted = [.. lags.Order()];
            }

            r.AchievedRate.Add(total / writeSeconds);
            r.CpuPercent.Add(cpu);
            r.RssMb.Add(rss);
            r.Missing.Add(total - sorted.Length);
            if (sorted.Length > 0)
            {
                r.P50.Add(sorted[sorted.Length / 2]);
                r.P99.Add(sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * 0.99))]);
                r.Max.Add(sorted[^1]);
            }
        }

        return r;
    }

    private static void Read(BenchNode node, long firstId, long lastId, List<double> lags, CancellationToken stop)
    {
        using var c = node.Open();
        using var version = c.CreateCommand();
        version.CommandText = "PRAGMA data_version";
        using var rows = c.CreateCommand();
        rows.CommandText = "SELECT id, ts FROM lag WHERE id > @after ORDER BY id";
        var after = rows.Parameters.Add("@after", SqliteType.Integer);
        var seen = firstId - 1;
        long lastVersion = -1;
        var deadline = Stopwatch.StartNew();
        while (seen < lastId && !stop.IsCancellationRequested && deadline.Elapsed < TimeSpan.FromMinutes(2))
        {
            var v = (long)version.ExecuteScalar()!;
            if (v != lastVersion)
            {
                lastVersion = v;
                after.Value = seen;
                using var reader = rows.ExecuteReader();
                while (reader.Read())
                {
                    var now = Stopwatch.GetTimestamp();
                    seen = reader.GetInt64(0);
                    lock (lags)
                    {
                        lags.Add(Stopwatch.GetElapsedTime(reader.GetInt64(1), now).TotalMilliseconds);
                    }
                }
            }
            else
            {
                Thread.Sleep(1);
            }
        }
    }
}
