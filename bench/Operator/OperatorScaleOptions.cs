using System.Globalization;

namespace K8sReplication.Bench.Operator;

/// <summary>Sizes of the operator scale case: meshes × members, the quiet window after steady state, and operator flags.</summary>
internal sealed record OperatorScaleOptions(int Meshes, int Members, TimeSpan Quiet, string Resync, int Workers, bool Restart, string Dir)
{
    public static OperatorScaleOptions Parse(string[] args, bool quick = false)
    {
        string? Opt(string name)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }

        int Int(string name, int full, int small) =>
            int.Parse(Opt(name) ?? (quick ? small : full).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return new OperatorScaleOptions(
            Int("--meshes", 100, 20),
            Int("--members", 10, 5),
            TimeSpan.FromSeconds(Int("--quiet-seconds", 30, 10)),
            Opt("--resync") ?? "30s",
            Int("--max-concurrent-reconciles", 4, 4),
            !args.Contains("--no-restart"),
            Path.Combine(Opt("--dir") ?? Path.Combine(Path.GetTempPath(), "k8srepl-bench-all"), "operator-scale"));
    }

    /// <summary>The repository root (holding K8sReplication.sln) above the current directory or this tool's output.</summary>
    public static string RepoRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                if (File.Exists(Path.Combine(d.FullName, "K8sReplication.sln")))
                {
                    return d.FullName;
                }
            }
        }

        throw new DirectoryNotFoundException("run from inside the repository: K8sReplication.sln not found above " + Directory.GetCurrentDirectory());
    }
}
