using System.Diagnostics;
using K8sReplication.Bench.Mesh;
using K8sReplication.Bench.Suite;
using K8sReplication.TestKit.Network;

namespace K8sReplication.Bench.Cases;

/// <summary>
/// Two members connected through TCP fault proxies (TestKit FaultProxy): partition (blackhole + cut), write on both
/// sides for the partition time (new rows on each side and updates to the same 100 shared keys), heal, and time from
/// healing until both hold the same rows (equal Merkle roots in /v1/status and equal counts).
/// </summary>
internal static class PartitionCase
{
    public sealed record Result(Sample Convergence, Sample RowsPerSide);

    public static async Task<Result> RunAsync(SuiteOptions o)
    {
        var r = new Result(new Sample("s"), new Sample("rows"));
        await using var mesh = await BenchMesh.StartAsync(Path.Combine(o.Dir, "partition"), 2, interval: "1s");
        await using var to0 = FaultProxy.For(mesh[0].ReplicationUrl);
        await using var to1 = FaultProxy.For(mesh[1].ReplicationUrl);
        await mesh.ConnectAsync((_, j) => j == 0 ? to0.Url : to1.Url);
        using (var c = mesh[0].Open())
        {
            for (var i = 0; i < 100; i++)
            {
                LimitCases.Exec(c, $"INSERT INTO t(k, v) VALUES ('shared-{i}', x'00')");
            }
        }

        await WaitEqualAsync(mesh, Stopwatch.StartNew());
        for (var rep = 0; rep < o.Reps; rep++)
        {
            to0.Partition();
            to1.Partition();
            var written = await Task.WhenAll(WriteForAsync(mesh[0], o.Partition, rep), WriteForAsync(mesh[1], o.Partition, rep));
            r.RowsPerSide.Add(written.Average());
            var sw = Stopwatch.StartNew();
            to0.Heal();
            to1.Heal();
            r.Convergence.Add(await WaitEqualAsync(mesh, sw));
        }

        return r;
    }

    private static async Task<int> WriteForAsync(BenchNode node, TimeSpan duration, int rep)
    {
        var n = 0;
        var sw = Stopwatch.StartNew();
        using var c = node.Open();
        while (sw.Elapsed < duration)
        {
            LimitCases.Exec(c, $"INSERT INTO t(k, v) VALUES ('{node.Name}-{rep}-{n}', randomblob(100))");
            if (n % 5 == 0)
            {
                LimitCases.Exec(c, $"UPDATE t SET v = randomblob(100) WHERE k = 'shared-{n % 100}'");
            }

            n++;
            await Task.Delay(20); // ~50 writes/s per side: a steady app, not a bulk load
        }

        return n;
    }

    private static async Task<double> WaitEqualAsync(BenchMesh mesh, Stopwatch sw)
    {
        await Shell.WaitAsync(async () =>
        {
            var a = await mesh[0].StatusAsync();
            var b = await mesh[1].StatusAsync();
            return a.MerkleRoot.Length > 0 && a.MerkleRoot == b.MerkleRoot
                && mesh[0].Scalar("SELECT count(*) FROM t") == mesh[1].Scalar("SELECT count(*) FROM t");
        }, TimeSpan.FromMinutes(3), "both sides of the healed partition equal", 20);
        return sw.Elapsed.TotalSeconds;
    }
}
