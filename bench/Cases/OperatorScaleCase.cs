using System.Diagnostics;
using K8sReplication.Bench.Operator;
using K8sReplication.Bench.Suite;

namespace K8sReplication.Bench.Cases;

/// <summary>
/// Operator reconcile cost at scale: the real Release operator against the in-process API emulator with M meshes ×
/// N simulated members (one fake sidecar server, a loopback IP per member). Measures the time to steady state (every
/// mesh Ready, Converged and ConfigApplied with N members), reconciles, the operator's API requests and writes, a
/// quiet window after steady state (writes should be 0: status is written only when it changes), and a restart of the
/// operator over the unchanged cluster (writes should be 0 again).
/// </summary>
internal static class OperatorScaleCase
{
    public sealed record Phase(TimeSpan Elapsed, double Reconciles, ApiTally Api, long ConfigPuts, long StatusGets, double CpuSeconds, double RssMb);

    public sealed record Result(OperatorScaleOptions Options, TimeSpan PodsCreated, TimeSpan ToStarted, TimeSpan MeshesCreated,
        Phase Steady, TimeSpan StartToSteady, Phase Quiet, int SettledAfterQuiet, Phase? Restart, long Rejected);

    public static async Task<Result> RunAsync(OperatorScaleOptions o, Action<string>? log = null)
    {
        log ??= _ => { };
        if (Directory.Exists(o.Dir))
        {
            Directory.Delete(o.Dir, recursive: true);
        }

        await using var cluster = await ScaleCluster.StartAsync(o.Dir, OperatorScaleOptions.RepoRoot());
        var sw = Stopwatch.StartNew();
        await cluster.CreatePodsAsync(o.Meshes, o.Members);
        var podsCreated = sw.Elapsed;
        log($"{o.Meshes * o.Members} pods created in {podsCreated.TotalSeconds:0.0} s; starting the operator");

        var opStart = Stopwatch.StartNew();
        await using var op = await StartOperatorAsync(cluster, o);
        cluster.Api.ClearRequests();
        var createStart = Stopwatch.StartNew();
        await cluster.CreateMeshesAsync(o.Meshes);
        var meshesCreated = createStart.Elapsed;
        log($"{o.Meshes} meshes created in {meshesCreated.TotalSeconds:0.0} s; waiting for steady state");
        await WaitSettledAsync(cluster, o, op);
        var steady = await PhaseAsync(cluster, op, createStart.Elapsed, 0, new Baseline(0, 0, 0));
        var startToSteady = opStart.Elapsed;
        log($"steady after {steady.Elapsed.TotalSeconds:0.0} s: {steady.Reconciles} reconciles, {steady.Api.Writes} writes; quiet window {o.Quiet.TotalSeconds:0} s");

        cluster.Api.ClearRequests();
        var before = Baseline.Of(cluster, steady.CpuSeconds);
        await Task.Delay(o.Quiet); // the measurement window itself
        var quiet = await PhaseAsync(cluster, op, o.Quiet, steady.Reconciles, before);
        var settledAfterQuiet = await cluster.SettledAsync(o.Members);

        Phase? restart = null;
        if (o.Restart)
        {
            await op.StopAsync();
            cluster.Api.ClearRequests();
            var restartBase = Baseline.Of(cluster, 0);
            var restartClock = Stopwatch.StartNew();
            await using var again = await StartOperatorAsync(cluster, o);
            await Shell.WaitAsync(async () => await again.ReconcilesAsync() >= o.Meshes, TimeSpan.FromSeconds(120),
                "the restarted operator reconciled every mesh once", 250);
            restart = await PhaseAsync(cluster, again, restartClock.Elapsed, 0, restartBase);
            log($"restart: every mesh reconciled after {restart.Elapsed.TotalSeconds:0.0} s, {restart.Api.Writes} writes");
            await again.StopAsync();
        }

        return new Result(o, podsCreated, op.ToStarted, meshesCreated, steady, startToSteady, quiet, settledAfterQuiet, restart,
            cluster.Sidecars.Rejected);
    }

    private static Task<OperatorRun> StartOperatorAsync(ScaleCluster cluster, OperatorScaleOptions o) =>
        OperatorRun.StartAsync(
        [
            "--kubeconfig", cluster.Kubeconfig,
            "--all-namespaces",
            "--resync", o.Resync,
            "--max-concurrent-reconciles", o.Workers.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--health-listen", "127.0.0.1:0",
            "--metrics-listen", "127.0.0.1:0",
        ]);

    private static async Task WaitSettledAsync(ScaleCluster cluster, OperatorScaleOptions o, OperatorRun op)
    {
        var last = 0;
        try
        {
            await Shell.WaitAsync(async () => (last = await cluster.SettledAsync(o.Members)) == o.Meshes, TimeSpan.FromSeconds(150),
                "every mesh Ready, Converged and ConfigApplied", 250);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}: {last} of {o.Meshes} settled; operator output tail:\n{op.OutputTail}", e);
        }
    }

    private static async Task<Phase> PhaseAsync(ScaleCluster cluster, OperatorRun op, TimeSpan elapsed, double reconcilesBefore, Baseline b)
    {
        var members = cluster.Sidecars.Members;
        return new Phase(
            elapsed,
            await op.ReconcilesAsync() - reconcilesBefore,
            ApiTally.Of(cluster.Api.Requests),
            members.Sum(m => m.ConfigPuts) - b.ConfigPuts,
            members.Sum(m => m.StatusGets) - b.StatusGets,
            ProcessMetrics.CpuSeconds(op.Pid) - b.CpuSeconds,
            ProcessMetrics.RssMb(op.Pid));
    }

    /// <summary>Cumulative counters at the start of a phase.</summary>
    private sealed record Baseline(long ConfigPuts, long StatusGets, double CpuSeconds)
    {
        public static Baseline Of(ScaleCluster cluster, double cpuSeconds)
        {
            var members = cluster.Sidecars.Members;
            return new Baseline(members.Sum(m => m.ConfigPuts), members.Sum(m => m.StatusGets), cpuSeconds);
        }
    }
}
