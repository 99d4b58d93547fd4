using System.Diagnostics;

namespace K8sReplication.Packaging.Tests.Tools;

/// <summary>A real command-line tool (helm, kubectl) found through its K8SREPL_* variable or PATH; missing means fail.</summary>
public sealed class ExternalTool
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private ExternalTool(string path) => Path = path;

    public string Path { get; }

    private static readonly Lazy<ExternalTool> LazyHelm = new(() => Find("helm", "K8SREPL_HELM"));
    private static readonly Lazy<ExternalTool> LazyKubectl = new(() => Find("kubectl", "K8SREPL_KUBECTL"));

    public static ExternalTool Helm => LazyHelm.Value;

    public static ExternalTool Kubectl => LazyKubectl.Value;

    public async Task<ToolResult> RunAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null, string? stdin = null)
    {
        var info = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
            WorkingDirectory = K8sReplication.TestKit.RepoPaths.Root,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // Never let the developer's own cluster or helm settings leak into a test.
        info.Environment["KUBECONFIG"] = "/nonexistent/kubeconfig";
        info.Environment["HELM_CACHE_HOME"] = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "k8srepl-helm-cache");
        info.Environment["HELM_CONFIG_HOME"] = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "k8srepl-helm-config");
        info.Environment["HELM_DATA_HOME"] = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "k8srepl-helm-data");
        if (env is not null)
        {
            foreach (var (key, value) in env)
            {
                info.Environment[key] = value;
            }
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {Path}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }

        using var cts = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path} {string.Join(' ', info.ArgumentList)} did not finish within {Timeout.TotalSeconds}s");
        }

        return new ToolResult(process.ExitCode, await stdout, await stderr, $"{System.IO.Path.GetFileName(Path)} {string.Join(' ', info.ArgumentList)}");
    }

    private static ExternalTool Find(string name, string variable)
    {
        var fromEnv = Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return File.Exists(fromEnv)
                ? new ExternalTool(fromEnv)
                : throw new InvalidOperationException($"{variable}={fromEnv} does not exist: install {name} (./test.sh does) or fix {variable}");
        }

        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append(System.IO.Path.Combine(K8sReplication.TestKit.RepoPaths.Root, ".tools", "bin"))
            .Select(dir => System.IO.Path.Combine(dir, name));
        var found = candidates.FirstOrDefault(File.Exists);
        return found is not null
            ? new ExternalTool(found)
            : throw new InvalidOperationException($"'{name}' not found: set {variable} or put it on PATH (./test.sh installs it into .tools/bin)");
    }
}
