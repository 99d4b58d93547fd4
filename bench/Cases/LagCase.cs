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
            Write(mesh[0], firstId, total, o.LagRate, sw);

            var writeSeconds = sw.Elapsed.TotalSeconds;
            var rss = mesh.Nodes.Max(n => ProcessMetrics.RssMb(n.Pid));
            var cpu = mesh.Nodes.Select((n, i) => ProcessMetrics.CpuSeconds(n.Pid) - cpu0[i]).Max() / writeSeconds * 100;
            reader.Join(TimeSpan.FromSeconds(60));
            stop.Cancel();
            reader.Join();
            var sorted = Sorted(lags);
            r.AchievedRate.Add(total / writeSeconds);
            r.CpuPercent.Add(cpu);
            r.RssMb.Add(rss);
            r.Missing.Add(total - sorted.Length);
            if (sorted.Length > 0)
            {
                r.P50.Add(Percentile(sorted, 0.5));
                r.P99.Add(Percentile(sorted, 0.99));
                r.Max.Add(sorted[^1]);
            }
        }

        return r;
    }

    /// <summary>
    /// The floor of this measurement on this machine: the same writes and the same reader, with the replication done by
    /// a bare loop in this process that polls the writer's <c>PRAGMA data_version</c> every millisecond (as the
    /// sidecar does) and copies new rows to the other database in one transaction — no HTTP, no sidecar. Returns the
    /// p50 and p99 of its lags.
    /// </summary>
    public static (Sample P50, Sample P99) RunFloor(string folder, SuiteOptions o)
    {
        var (p50, p99) = (new Sample("ms"), new Sample("ms"));
        var source = new BenchNode("floor-a", Path.Combine(folder, "a"));
        var target = new BenchNode("floor-b", Path.Combine(folder, "b"));
        source.CreateDatabase(Schema);
        target.CreateDatabase(Schema);
        for (var rep = 0; rep < o.Reps; rep++)
        {
            var total = (int)(o.LagRate * o.LagDuration.TotalSeconds);
            var firstId = (rep + 1) * 10_000_000L;
            var lags = new List<double>(total);
            using var stop = new CancellationTokenSource();
            var reader = new Thread(() => Read(target, firstId, firstId + total - 1, lags, stop.Token)) { IsBackground = true };
            var relay = new Thread(() => Relay(source, target, firstId - 1, stop.Token)) { IsBackground = true };
            reader.Start();
            relay.Start();
            Write(source, firstId, total, o.LagRate, Stopwatch.StartNew());
            reader.Join(TimeSpan.FromSeconds(60));
            stop.Cancel();
            reader.Join();
            relay.Join();
            var sorted = Sorted(lags);
            if (sorted.Length > 0)
            {
                p50.Add(Percentile(sorted, 0.5));
                p99.Add(Percentile(sorted, 0.99));
            }
        }

        return (p50, p99);
    }

    private static double[] Sorted(List<double> lags)
    {
        lock (lags)
        {
            return [.. lags.Order()];
        }
    }

    private static double Percentile(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * q))];

    /// <summary>Writes <paramref name="total"/> rows at <paramref name="rate"/> a second, each stamped just before its commit.</summary>
    private static void Write(BenchNode node, long firstId, int total, int rate, Stopwatch sw)
    {
        using var c = node.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "INSERT INTO lag(id, ts) VALUES (@id, @ts)";
        var pid = cmd.Parameters.Add("@id", SqliteType.Integer);
        var pts = cmd.Parameters.Add("@ts", SqliteType.Integer);
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds(i / (double)rate);

            // Sleep until the row is due, like an app between requests: no spinning, which on two cores would take
            // one of them from the processes measured. A row less than a millisecond early goes now.
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

    private static void Relay(BenchNode source, BenchNode target, long after, CancellationToken stop)
    {
        using var from = source.Open();
        using var to = target.Open();
        BareRelay.Run(from, to, "SELECT id, ts FROM lag WHERE id > @after ORDER BY id", "lag", createTarget: false, after, stop);
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
