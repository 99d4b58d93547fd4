using System.Diagnostics;
using K8sReplication.Bench.Mesh;
using K8sReplication.Bench.Suite;
using K8sReplication.TestKit.Processes;

namespace K8sReplication.Bench.Cases;

/// <summary>
/// Start-up of one sidecar build (the Native AOT binary, or `dotnet k8srepl-sidecar.dll` under the JIT): process start to
/// /readyz 200, empty table, no peers; then its idle resident size.
/// </summary>
internal static class StartupCase
{
    public sealed record Result(Sample ToListening, Sample ToReady, Sample IdleRssMb);

    public static async Task<Result> RunAsync(SuiteOptions o, SidecarBinary binary)
    {
        var r = new Result(new Sample("ms"), new Sample("ms"), new Sample("MB"));
        for (var rep = 0; rep < o.Reps; rep++)
        {
            var folder = Path.Combine(o.Dir, (binary.IsNative ? "startup-aot" : "startup-jit") + rep);
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            await using var node = new BenchNode("s", folder, binary: binary);
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
