using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace K8sReplication.TestKit.Processes;

/// <summary>
/// Runs the built <c>k8srepl-operator</c> as a real process (<c>dotnet k8srepl-operator.dll</c> from the test's bin
/// folder, or <c>K8SREPL_OPERATOR_DLL</c>), waits for its started line, and kills or stops it. Its output (logs on
/// stdout and stderr) is kept for failure messages.
/// </summary>
public sealed class OperatorProcess : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly StringBuilder _output = new();
    private readonly Lock _gate = new();
    private readonly Process _process;

    private OperatorProcess(Process process) => _process = process;

    public OperatorStartedEvent Started { get; private set; } = null!;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the process wrote so far (stdout and stderr interleaved).</summary>
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

    public static string OperatorDll =>
        Environment.GetEnvironmentVariable("K8SREPL_OPERATOR_DLL") is { Length: > 0 } dll
            ? dll
            : Path.Combine(AppContext.BaseDirectory, "k8srepl-operator.dll");

    /// <summary>
    /// Starts the operator and waits for its started line. <paramref name="dll"/> defaults to <see cref="OperatorDll"/>
    /// (projects that build the operator without referencing it pass its output path).
    /// </summary>
    public static async Task<OperatorProcess> StartAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? env = null, string? dll = null)
    {
        var process = Process.Start(CreateStartInfo(args, env, dll)) ?? throw new InvalidOperationException("could not start the operator");
        var op = new OperatorProcess(process);
        var started = new TaskCompletionSource<OperatorStartedEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                started.TrySetException(new InvalidOperationException("the operator exited before it started:\n" + op.Output));
                return;
            }

            op.Append(e.Data);
            if (TryParseStarted(e.Data) is { } evt)
            {
                started.TrySetResult(evt);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                op.Append(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (await Task.WhenAny(started.Task, Task.Delay(StartTimeout)) != started.Task)
        {
            op.Kill();
            throw new TimeoutException("the operator did not print its started line:\n" + op.Output);
        }

        op.Started = await started.Task;
        return op;
    }

    /// <summary>Runs the operator to completion (flag errors) with a deadline.</summary>
    public static async Task<ProcessExit> RunToExitAsync(IReadOnlyList<string> args, TimeSpan? timeout = null)
    {
        using var process = Process.Start(CreateStartInfo(args, null, null)) ?? throw new InvalidOperationException("could not start the operator");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the operator did not exit: " + await stderr);
        }

        return new ProcessExit(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>SIGKILL: no shutdown code runs (the lease is not released).</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    /// <summary>SIGTERM and wait for exit; returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        if (!_process.HasExited)
        {
            Signals.Terminate(_process.Id);
            using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                throw new TimeoutException("the operator did not stop after SIGTERM:\n" + Output);
            }
        }

        return _process.ExitCode;
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Append(string line)
    {
        lock (_gate)
        {
            _output.AppendLine(line);
        }
    }

    private static ProcessStartInfo CreateStartInfo(IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? env, string? dll)
    {
        dll ??= OperatorDll;
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"operator not built at {dll}; build the test project (it references the operator) or set K8SREPL_OPERATOR_DLL", dll);
        }

        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // Never pick up a developer's or CI's cluster by accident.
        info.Environment.Remove("KUBERNETES_SERVICE_HOST");
        foreach (var (key, value) in env ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return info;
    }

    private static OperatorStartedEvent? TryParseStarted(string line)
    {
        if (!line.StartsWith('{'))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            return root.TryGetProperty("event", out var evt) && evt.GetString() == "started"
                ? new OperatorStartedEvent(
                    new Uri(root.GetProperty("health").GetString()!),
                    new Uri(root.GetProperty("metrics").GetString()!),
                    root.GetProperty("identity").GetString()!,
                    root.TryGetProperty("webhook", out var webhook) ? new Uri(webhook.GetString()!) : null)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
