using System.Diagnostics;
using K8sReplication.Bench.Mesh;
using K8sReplication.Bench.Suite;

namespace K8sReplication.Bench.Cases;

/// <summary>Start-up: process start (`dotnet k8srepl-sidecar.dll`, Release, JIT) to /readyz 200, empty table, no peers.</summary>
internal static class StartupCase
{
    public sealed record Result(Sample ToListening, Sample ToReady, Sample IdleRssMb);

    public static async Task<Result> RunAsync(SuiteOptions o)
    {
        var r = new Result(new Sample("ms"), new Sample("ms"), new Sample("MB"));
        for (var rep = 0; rep < o.Reps; rep++)
        {
            var folder = Path.Combine(o.Dir, "startup" + rep);
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            await using var node = new BenchNode("s", folder);
            node.CreateDatabase();
            var sw = Stopwatch.StartNew();
            await node.StartAsync();
            await node.WaitReadyAsync();
            r.ToReady.Add(sw.Elapsed.TotalMilliseconds);
            r.ToListening.Add(node.ListeningSeconds * 1000);
            await Task.Delay(TimeSpan.FromSeconds(2)); // settle, then read the idle footprint (a measurement, not a sync)
            r.IdleRssMb.Add(ProcessMetrics.RssMb(node.Pid));
            await node.StopAsync();
        }

        return r;
    }
}
