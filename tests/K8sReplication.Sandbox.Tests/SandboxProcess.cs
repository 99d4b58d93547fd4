using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace K8sReplication.Sandbox.Tests;

/// <summary>Runs the built sandbox as a real process in its own state folder and reports what it printed.</summary>
internal sealed class SandboxProcess
{
    public static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(5);

    public required int ExitCode { get; init; }

    public required string Output { get; init; }

    public required string Dir { get; init; }

    public static string SandboxDll =>
        Environment.GetEnvironmentVariable("K8SREPL_SANDBOX_DLL") is { Length: > 0 } dll
            ? dll
            : typeof(SandboxProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "SandboxDll").Value!;

    public static string NewDir() => Path.Combine(Path.GetTempPath(), "k8srepl-sandbox-tests", Guid.NewGuid().ToString("N")[..10]);

    public static async Task<SandboxProcess> RunAsync(params string[] args)
    {
        var dir = NewDir();
        var dll = SandboxDll;
        Assert.True(File.Exists(dll), $"the sandbox is not built at {dll} (build this test project; it builds the sandbox)");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var arg in args.Concat(["--dir", dir, "--plain"]))
        {
            info.ArgumentList.Add(arg);
        }

        var output = new StringBuilder();
        using var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(RunTimeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the sandbox did not exit within {RunTimeout}:\n{output}");
        }

        process.WaitForExit();
        lock (output)
        {
            return new SandboxProcess { ExitCode = process.ExitCode, Output = output.ToString(), Dir = dir };
        }
    }

    /// <summary>
    /// Processes whose command line mentions the run's unique folder (every sidecar gets --database DIR/..., the
    /// operator --kubeconfig DIR/kubeconfig). After the sandbox exits there must be none.
    /// </summary>
    public IReadOnlyList<string> ProcessesLeft()
    {
        var left = new List<string>();
        foreach (var proc in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(proc), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                var cmdline = File.ReadAllText(Path.Combine(proc, "cmdline")).Replace('\0', ' ');
                if (cmdline.Contains(Dir, StringComparison.Ordinal))
                {
                    left.Add($"{pid}: {cmdline}");
                }
            }
            catch (IOException)
            {
                // Exited while we looked.
            }
            catch (UnauthorizedAccessException)
            {
                // Not ours.
            }
        }

        return left;
    }

    public void AssertCleanExit()
    {
        Assert.True(ExitCode == 0, $"exit code {ExitCode}:\n{Output}");
        Assert.Contains("stopped: no sandbox process left running", Output);
        Assert.Empty(ProcessesLeft());
        Directory.Delete(Dir, recursive: true);
    }
}
