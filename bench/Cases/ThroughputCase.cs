using System.Diagnostics;
using K8sReplication.Bench.Mesh;
using K8sReplication.Bench.Suite;

namespace K8sReplication.Bench.Cases;

/// <summary>
/// N rows written by the app on member 0 in 1000-row transactions (capture triggers installed, sidecar running);
/// timed from the first write until each other member has every row (its table's count). Each repetition starts on a
/// fresh, settled mesh by default, as the PostgreSQL reference truncates its table before each: in one growing mesh the
/// random keys' B-trees outgrow the caches and every repetition's app write and apply is slower than the one before
/// (the app's own write went 1.6, 2.2, 3.8 s). The sidecars' CPU is counted until the mesh settled again (the writer's
/// fold done, equal roots), so a burst's deferred fold is in its own repetition's figure.
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
    /// <param name="SenderReads">Feed pages the writer's sidecar read and encoded while answering (burst until settled).</param>
    /// <param name="SenderSharedReads">Feed pages it served from another reader's encoding instead.</param>
    /// <param name="SenderEmptyReads">Of both, the pages that held no change (a long poll woken with nothing for it).</param>
    /// <param name="CpuBoundSeconds">
    /// The least time the burst could take on this machine's cores: the CPU time of the app's writing thread and of
    /// every sidecar from the first write until the last member had every row, divided by the cores.
    /// </param>
    /// <param name="RepairBytes">
    /// Bytes the members' anti-entropy rounds received during the burst (until settled): rows in flight pulled twice,
    /// since the feeds deliver them.
    /// </param>
    public sealed record Result(Sample ToAll, Sample WriteSeconds, Sample SenderCpuUsPerRow, Sample ReceiverCpuUsPerRow, Sample WireBytesPerRow,
        Sample SenderReads, Sample SenderSharedReads, Sample SenderEmptyReads, Sample CpuBoundSeconds, Sample RepairBytes)
    {
        /// <summary>The repetitions of several runs as one result, in run order.</summary>
        public static Result Merge(IReadOnlyList<Result> runs) => new(
            Join(runs.Select(r => r.ToAll)), Join(runs.Select(r => r.WriteSeconds)), Join(runs.Select(r => r.SenderCpuUsPerRow)),
            Join(runs.Select(r => r.ReceiverCpuUsPerRow)), Join(runs.Select(r => r.WireBytesPerRow)), Join(runs.Select(r => r.SenderReads)),
            Join(runs.Select(r => r.SenderSharedReads)), Join(runs.Select(r => r.SenderEmptyReads)), Join(runs.Select(r => r.CpuBoundSeconds)),
            Join(runs.Select(r => r.RepairBytes)));

        private static Sample Join(IEnumerable<Sample> samples)
        {
            var list = samples.ToList();
            return Sample.Of(list[0].Unit, [.. list.SelectMany(s => s.Values)]);
        }
    }

    private const string Reads = "replication_feed_reads_total{source=";

    /// <summary>Every repetition on the one <paramref name="mesh"/>, each adding N rows once the one before settled.</summary>
    public static Task<Result> RunAsync(BenchMesh mesh, SuiteOptions o) => RunAsync(() => Task.FromResult(mesh), o, owned: false);

    /// <summary>Each repetition on a mesh from <paramref name="start"/> (started and connected), disposed after it when <paramref name="owned"/>.</summary>
    public static async Task<Result> RunAsync(Func<Task<BenchMesh>> start, SuiteOptions o, bool owned = true)
    {
        ArgumentNullException.ThrowIfNull(start);
        var toAll = new Sample("s");
        var write = new Sample("s");
        var senderCpu = new Sample("µs/row");
        var receiverCpu = new Sample("µs/row");
        var wire = new Sample("bytes/row");
        var reads = new Sample("pages");
        var shared = new Sample("pages");
        var empty = new Sample("pages");
        var bound = new Sample("s");
        var repair = new Sample("bytes");
        for (var rep = 0; rep < o.Reps; rep++)
        {
            var mesh = await start();
            try
            {
                await mesh.SettleAsync("equal roots before a burst");
                var before = await ReadCounts(mesh[0]);
                await Burst(mesh, o.Rows, toAll, write, senderCpu, receiverCpu, wire, bound, repair);
                var after = await ReadCounts(mesh[0]);
                reads.Add(after.Store - before.Store);
                shared.Add(after.Cache - before.Cache);
                empty.Add(after.Empty - before.Empty);
            }
            finally
            {
                if (owned)
                {
                    await mesh.DisposeAsync();
                }
            }
        }

        return new Result(toAll, write, senderCpu, receiverCpu, wire, reads, shared, empty, bound, repair);
    }

    /// <summary>
    /// <paramref name="repetitions"/> single repetitions alternating between a mesh from <paramref name="first"/> and
    /// one from <paramref name="second"/> (first, second, first, …), so that the machine's drift during the run falls
    /// on both alike; each side's repetitions merged in run order.
    /// </summary>
    public static async Task<(Result First, Result Second)> AlternateAsync(Func<Task<BenchMesh>> first, Func<Task<BenchMesh>> second,
        SuiteOptions o, int repetitions)
    {
        var once = o with { Reps = 1 };
        var firsts = new List<Result>();
        var seconds = new List<Result>();
        for (var rep = 0; rep < repetitions; rep++)
        {
            firsts.Add(await RunAsync(first, once));
            seconds.Add(await RunAsync(second, once));
        }

        return (Result.Merge(firsts), Result.Merge(seconds));
    }

    /// <summary>The sender's feed page reads so far: encoded, shared, and of both those that held nothing.</summary>
    private static async Task<(double Store, double Cache, double Empty)> ReadCounts(BenchNode sender) => (
        await sender.MetricAsync(Reads + "\"store\""), await sender.MetricAsync(Reads + "\"cache\""),
        await sender.MetricAsync(Reads + "\"store\",result=\"empty\"") + await sender.MetricAsync(Reads + "\"cache\",result=\"empty\""));

    private static async Task Burst(BenchMesh mesh, int rows, Sample toAll, Sample write, Sample senderCpu, Sample receiverCpu, Sample wire,
        Sample bound, Sample repair)
    {
        const string RepairBytes = "replication_antientropy_bytes_total";
        var repair0 = await SumAsync(mesh, RepairBytes);
        var target = mesh[0].Scalar("SELECT count(*) FROM t") + rows;
        var cpu0 = mesh.Nodes.Select(n => ProcessMetrics.CpuSeconds(n.Pid)).ToArray();
        var bytes0 = await mesh[1].MetricAsync("replication_peer_answer_bytes_total");
        var sw = Stopwatch.StartNew();
        var app = ThreadUsage.Now();
        using (var c = mesh[0].Open())
        {
            LimitCases.WriteRows(c, "t", rows, upsert: false);
        }

        app = ThreadUsage.Now() - app;
        write.Add(sw.Elapsed.TotalSeconds);
        var arrivals = await Task.WhenAll(mesh.Nodes.Skip(1).Select(n => WaitCountAsync(n, target, sw)));
        toAll.Add(arrivals.Max());
        var sidecarsUntilArrival = mesh.Nodes.Select((n, i) => ProcessMetrics.CpuSeconds(n.Pid) - cpu0[i]).Sum();
        bound.Add((app.UserSeconds + app.SystemSeconds + sidecarsUntilArrival) / Environment.ProcessorCount);
        await mesh.SettleAsync("equal roots after a burst");
        var cpu = mesh.Nodes.Select((n, i) => ProcessMetrics.CpuSeconds(n.Pid) - cpu0[i]).ToArray();
        senderCpu.Add(cpu[0] / rows * 1e6);
        receiverCpu.Add(cpu.Skip(1).Max() / rows * 1e6);
        wire.Add((await mesh[1].MetricAsync("replication_peer_answer_bytes_total") - bytes0) / rows);
        repair.Add(await SumAsync(mesh, RepairBytes) - repair0);
    }

    private static async Task<double> SumAsync(BenchMesh mesh, string metric) =>
        (await Task.WhenAll(mesh.Nodes.Select(n => n.MetricAsync(metric)))).Sum();

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
