using System.Diagnostics;
using K8sReplication.Bench.Mesh;
using K8sReplication.TestKit.Processes;

namespace K8sReplication.Bench.Suite;

/// <summary>
/// `all`: every case in one run on this machine — the physical limit, the peer systems, and ours — then
/// bench/results/latest.json and latest.md. A case that fails is reported in the table and the run goes on.
/// </summary>
internal static class AllCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var o = SuiteOptions.Parse(args);
        if (!File.Exists(BenchNode.Jit.Path))
        {
            Console.Error.WriteLine($"sidecar not built next to the bench at {BenchNode.Jit.Path}; build with -c Release");
            return 2;
        }

        var sidecarNote = await SelectSidecarAsync(o.Sidecar);
        if (sidecarNote is null)
        {
            return 2;
        }

        Directory.CreateDirectory(o.Dir);
        var run = new SuiteRun
        {
            Command = ("dotnet run -c Release --project bench -- all " + string.Join(' ', args)).TrimEnd(),
            Repetitions = o.Reps,
            LoadBefore = ProcessMetrics.LoadAverage1(),
            Machine = Machine(),
        };
        run.Notes.Add(sidecarNote);
        var total = Stopwatch.StartNew();
        var rows = new SuiteRows(run, o);
        await Step(run, "limit", () => rows.LimitsAsync());
        await Step(run, "redis", () => rows.RedisAsync());
        await Step(run, "postgres", () => rows.PostgresAsync());
        await Step(run, "pair", () => rows.PairAsync());
        await Step(run, "four", () => rows.FourAsync());
        await Step(run, "tls", () => rows.TlsAsync());
        await Step(run, "apptax", () => rows.AppTaxAsync());
        await Step(run, "capture", () => rows.CaptureAsync());
        await Step(run, "walburst", () => rows.WalBurstAsync());
        await Step(run, "soak", () => rows.SoakAsync());
        await Step(run, "startup", () => rows.StartupAsync());
        await Step(run, "partition", () => rows.PartitionAsync());
        await Step(run, "repair", () => rows.RepairAsync());
        await Step(run, "compression", () => rows.CompressionAsync());
        await Step(run, "backup", () => rows.BackupAsync());
        await Step(run, "operator", () => rows.OperatorAsync());
        run.LoadAfter = ProcessMetrics.LoadAverage1();
        run.Elapsed = total.Elapsed;
        var ordered = run.Rows.OrderBy(r => SectionOrder(r.Section)).ToList(); // stable: case order within a section
        run.Rows.Clear();
        run.Rows.AddRange(ordered);
        SuiteReport.Write(o.ResultsDir, run);
        Console.WriteLine(SuiteReport.Markdown(run));
        Console.WriteLine($"wrote {Path.Combine(o.ResultsDir, "latest.json")} and latest.md");
        return 0;

        async Task Step(SuiteRun r, string name, Func<Task> body)
        {
            if (!o.Runs(name))
            {
                return;
            }

            Console.Error.WriteLine($"[{total.Elapsed:mm\\:ss}] {name} ... (load {ProcessMetrics.LoadAverage1():0.0})");
            try
            {
                await body();
            }
            catch (Exception e)
            {
                r.Notes.Add($"case `{name}` failed: {e.GetType().Name}: {FirstLine(e.Message)}");
                Console.Error.WriteLine($"{name} failed: {e}");
            }
        }
    }

    /// <summary>Sets the build the meshes run; returns the run note naming it, or null (after saying why) when there is none.</summary>
    internal static async Task<string?> SelectSidecarAsync(string choice)
    {
        switch (choice)
        {
            case "jit":
                BenchNode.Sidecar = BenchNode.Jit;
                return "Sidecars run under the JIT (`dotnet k8srepl-sidecar.dll`, Release), not the shipped Native AOT binary.";
            case "aot":
                Console.Error.WriteLine($"publishing the Native AOT sidecar into {NativeSidecarPublish.CacheFolder} ...");
                try
                {
                    BenchNode.Sidecar = await NativeSidecarPublish.GetAsync();
                }
                catch (Exception e) when (e is InvalidOperationException or TimeoutException or PlatformNotSupportedException)
                {
                    Console.Error.WriteLine(e.Message);
                    Console.Error.WriteLine("use --sidecar jit to measure the JIT build instead");
                    return null;
                }

                Console.Error.WriteLine($"published in {NativeSidecarPublish.LastPublishDuration?.TotalSeconds:0} s: {BenchNode.Sidecar.Path}");
                return "Sidecars run the shipped Native AOT binary (`dotnet publish -c Release -r "
                    + NativeSidecarPublish.RuntimeIdentifier + "` of the sidecar); the start-up case also measures the JIT build beside it.";
            default:
                if (!File.Exists(choice))
                {
                    Console.Error.WriteLine($"--sidecar: expected aot, jit or the path of a sidecar build; {choice} does not exist");
                    return null;
                }

                BenchNode.Sidecar = new SidecarBinary(Path.GetFullPath(choice));
                return $"Sidecars run {BenchNode.Sidecar}.";
        }
    }

    private static int SectionOrder(string section) => section switch
    {
        "limit" => 0,
        "peer" => 1,
        _ => 2,
    };

    private static string FirstLine(string s)
    {
        var line = s.Split('\n')[0];
        return line.Length > 300 ? line[..300] : line;
    }

    private static string Machine()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':')[1].Trim()
            : null;
        return $"CPU: {cpu ?? "unknown"}; .NET {Environment.Version}; {System.Runtime.InteropServices.RuntimeInformation.OSDescription}.";
    }
}
