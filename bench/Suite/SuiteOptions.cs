using System.Globalization;

namespace K8sReplication.Bench.Suite;

/// <summary>
/// Sizes of one `all` run (`--quick` shrinks them for a smoke run). <c>Sidecar</c> is the build the meshes run: `aot`
/// (default: the Native AOT binary, published once per run), `jit` (`dotnet k8srepl-sidecar.dll` next to the bench), or
/// a path to a native executable or a .dll.
/// </summary>
internal sealed record SuiteOptions(string Dir, string ResultsDir, bool Quick, int Reps, int Rows, int RepairRows, int RepairDiff,
    int LagRate, TimeSpan LagDuration, TimeSpan Partition, bool InstallPeers, IReadOnlySet<string> Only, string Sidecar)
{
    public static SuiteOptions Parse(string[] args)
    {
        string? Opt(string name)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }

        var quick = args.Contains("--quick");
        var dir = Opt("--dir") ?? Path.Combine(Path.GetTempPath(), "k8srepl-bench-all");
        var results = Opt("--results") ?? Path.Combine(RepoRoot(), "bench", "results");
        int Int(string name, int full, int small) => int.Parse(Opt(name) ?? (quick ? small : full).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var only = (Opt("--only") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        return new SuiteOptions(dir, results, quick, Int("--reps", 3, 3), Int("--rows", 100_000, 10_000),
            Int("--repair-rows", 1_000_000, 100_000), Int("--repair-diff", 1000, 1000), Int("--lag-rate", 1000, 1000),
            TimeSpan.FromSeconds(Int("--lag-seconds", 10, 3)), TimeSpan.FromSeconds(Int("--partition-seconds", 30, 5)),
            !args.Contains("--no-install"), only, Opt("--sidecar") ?? "aot");
    }

    public bool Runs(string caseName) => Only.Count == 0 || Only.Contains(caseName);

    /// <summary>The repository root: the folder holding K8sReplication.sln above the current directory.</summary>
    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(Directory.GetCurrentDirectory()); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "K8sReplication.sln")))
            {
                return d.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
