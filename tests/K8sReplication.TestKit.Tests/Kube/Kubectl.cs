using System.Diagnostics;
using System.Text;

namespace K8sReplication.TestKit.Tests.Kube;

/// <summary>
/// Runs the real kubectl (K8SREPL_KUBECTL or PATH) against a kubeconfig, with a deadline and captured output. Each
/// run gets its own discovery cache so CRDs created between runs are always seen.
/// </summary>
internal sealed class Kubectl : IDisposable
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);
    private readonly string _kubeconfig;
    private readonly string _home;
    private int _runs;

    public Kubectl(string kubeconfig)
    {
        _kubeconfig = kubeconfig;
        _home = Directory.CreateTempSubdirectory("k8srepl-kubectl-").FullName;
    }

    public string WorkDirectory => _home;

    public static string Binary
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("K8SREPL_KUBECTL");
            if (!string.IsNullOrEmpty(configured))
            {
                return File.Exists(configured) ? configured : throw new InvalidOperationException($"K8SREPL_KUBECTL points at '{configured}', which does not exist");
            }

            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = Path.Combine(dir, "kubectl");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new InvalidOperationException("kubectl is required for these tests: install it on PATH or set K8SREPL_KUBECTL (./test.sh installs it)");
        }
    }

    public string WriteManifest(string name, string yaml)
    {
        var path = Path.Combine(_home, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    public async Task<KubectlResult> RunAsync(params string[] args)
    {
        using var process = Start(args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(RunTimeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl {string.Join(' ', args)} did not finish within {RunTimeout.TotalSeconds}s");
        }

        return new KubectlResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts a long-running kubectl (e.g. <c>get -w</c>) whose output accumulates in the returned handle.</summary>
    public RunningKubectl StartLongRunning(params string[] args) => new(Start(args));

    private Process Start(string[] args)
    {
        var info = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add($"--kubeconfig={_kubeconfig}");
        info.ArgumentList.Add($"--cache-dir={Path.Combine(_home, "cache-" + Interlocked.Increment(ref _runs))}");
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["HOME"] = _home;
        info.Environment.Remove("KUBECONFIG");
        return Process.Start(info) ?? throw new InvalidOperationException("kubectl did not start");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind is harmless.
        }
    }
}

internal sealed record KubectlResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

internal sealed class RunningKubectl : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _gate = new();

    public RunningKubectl(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _output.AppendLine(line);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }
}
