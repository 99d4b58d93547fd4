using System.Diagnostics;
using K8sReplication.Bench.Mesh;
using K8sReplication.Bench.Suite;

namespace K8sReplication.Bench.Cases;

/// <summary>
/// N rows written by the app on member 0 in 1000-row transactions (capture triggers installed, sidecar running);
/// timed from the first write until each other member has every row (its table's count). Each repetition adds N new
/// rows to the same connected mesh.
/// </summary>
internal static class ThroughputCase
{
    public sealed record Result(Sample ToAll, Sample WriteSeconds);

    public static async Task<Result> RunAsync(BenchMesh mesh, SuiteOptions o)
    {
        var toAll = new Sample("s");
        var write = new Sample("s");
        var target = mesh[0].Scalar("SELECT count(*) FROM t");
        for (var rep = 0; rep < o.Reps; rep++)
        {
            target += o.Rows;
            var sw = Stopwatch.StartNew();
            using (var c = mesh[0].Open())
            {
                LimitCases.WriteRows(c, "t", o.Rows, upsert: false);
            }

            write.Add(sw.Elapsed.TotalSeconds);
            var arrivals = await Task.WhenAll(mesh.Nodes.Skip(1).Select(n => WaitCountAsync(n, target, sw)));
            toAll.Add(arrivals.Max());
        }

        return new Result(toAll, write);
    }

    /// <summary>Seconds on <paramref name="clock"/> when the node's table t holds <paramref name="target"/> rows.</summary>
    public static async Task<double> WaitCountAsync(BenchNode node, long target, Stopwatch clock)
    {
        using var c = node.Open();
        using var max = c.CreateCommand();
        max.CommandText = "SELECT coalesce(max(rowid), 0) FROM t";
        using var count = c.CreateCommand();
        count.CommandText = "SELECT count(*) FROM t";
        while (true)
        {
            if ((long)max.ExecuteScalar()! >= target && (long)count.ExecuteScalar()! >= target)
            {
                return clock.Elapsed.TotalSeconds;
            }

            if (clock.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException($"{node.Name} has {(long)count.ExecuteScalar()!} of {target} rows after 5 min");
            }

            await Task.Delay(5);
        }
    }
}
