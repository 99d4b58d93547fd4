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
    /// <summary>Bytes of one benchmark row: a 36-character UUID text key and a 100-byte blob.</summary>
    public const int RowBytes = 36 + 100;

    /// <param name="ToAll">Seconds from the first write until the last other member has every row.</param>
    /// <param name="WriteSeconds">The app's own write time.</param>
    /// <param name="SenderCpuUsPerRow">CPU of the writing member's sidecar (fold, serving the feed) per row.</param>
    /// <param name="ReceiverCpuUsPerRow">CPU of the busiest receiving sidecar (fetch, decode, apply) per row.</param>
    /// <param name="WireBytesPerRow">Feed answer bytes a receiver read per row (no compression between members).</param>
    public sealed record Result(Sample ToAll, Sample WriteSeconds, Sample SenderCpuUsPerRow, Sample ReceiverCpuUsPerRow, Sample WireBytesPerRow);

    public static async Task<Result> RunAsync(BenchMesh mesh, SuiteOptions o)
    {
        var toAll = new Sample("s");
        var write = new Sample("s");
        var senderCpu = new Sample("µs/row");
        var receiverCpu = new Sample("µs/row");
        var wire = new Sample("bytes/row");
        var target = mesh[0].Scalar("SELECT count(*) FROM t");
        for (var rep = 0; rep < o.Reps; rep++)
        {
            target += o.Rows;
            var cpu0 = mesh.Nodes.Select(n => ProcessMetrics.CpuSeconds(n.Pid)).ToArray();
            var bytes0 = await mesh[1].MetricAsync("replication_peer_answer_bytes_total");
            var sw = Stopwatch.StartNew();
            using (var c = mesh[0].Open())
            {
                LimitCases.WriteRows(c, "t", o.Rows, upsert: false);
            }

            write.Add(sw.Elapsed.TotalSeconds);
            var arrivals = await Task.WhenAll(mesh.Nodes.Skip(1).Select(n => WaitCountAsync(n, target, sw)));
            toAll.Add(arrivals.Max());
            var cpu = mesh.Nodes.Select((n, i) => ProcessMetrics.CpuSeconds(n.Pid) - cpu0[i]).ToArray();
            senderCpu.Add(cpu[0] / o.Rows * 1e6);
            receiverCpu.Add(cpu.Skip(1).Max() / o.Rows * 1e6);
            wire.Add((await mesh[1].MetricAsync("replication_peer_answer_bytes_total") - bytes0) / o.Rows);
        }

        return new Result(toAll, write, senderCpu, receiverCpu, wire);
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
