using System.Diagnostics;
using K8sReplication.TestKit.Processes;

namespace K8sReplication.TestKit.Tools;

/// <summary>
/// A real command-line tool (kubectl, promtool, helm, sqlite3) found through its K8SREPL_* variable or PATH. A missing
/// tool fails the test with a message saying how to provide it — never a silent skip.
/// </summary>
public sealed class ExternalTool
{
    private ExternalTool(string path) => Path = path;

    public string Path { get; }

    public static ExternalTool Kubectl => Find("kubectl", "K8SREPL_KUBECTL");

    public static ExternalTool Promtool => Find("promtool", "K8SREPL_PROMTOOL");

    public static ExternalTool Helm => Find("helm", "K8SREPL_HELM");

    public static ExternalTool Find(string name, string variable)
    {
        var configured = Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(configured)
                ? new ExternalTool(configured)
                : throw new InvalidOperationException($"{variable} points to '{configured}', which does not exist.");
        }

        // ./test.sh installs tools it cannot get from the system into .tools/bin.
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator)
            .Append(System.IO.Path.Combine(RepoPaths.Root, ".tools", "bin"));
        foreach (var folder in folders)
        {
            var candidate = System.IO.Path.Combine(folder, name);
            if (folder.Length > 0 && File.Exists(candidate))
            {
                return new ExternalTool(candidate);
            }
        }

        throw new InvalidOperationException($"{name} not found: set {variable} or put {name} on PATH (./test.sh installs it).");
    }

    /// <summary>Runs the tool to completion with a deadline, optionally feeding <paramref name="stdin"/>.</summary>
    public async Task<ProcessExit> RunAsync(IEnumerable<string> args, string? stdin = null, IReadOnlyDictionary<string, string>? env = null,
        TimeSpan? timeout = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(Path)
        {
            WorkingDirectory = workingDirectory ?? "",
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in env ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Path}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path} {string.Join(' ', start.ArgumentList)} did not finish");
        }

        return new ProcessExit(process.ExitCode, await stdout, await stderr);
    }
}
