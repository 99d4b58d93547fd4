using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace K8sReplication.Sandbox.Processes;

/// <summary>
/// One child process (a sidecar or the operator) run as <c>dotnet DLL ARGS</c>. Starting waits for the JSON line the
/// program prints when it is up (its <c>event</c> field); the tail of its output is kept for error messages and its
/// log goes to a file next to its state. Every started child is tracked in <see cref="Live"/> so the sandbox can
/// guarantee none outlives it.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    /// <summary>Generous: on a loaded machine a .NET process can take a minute to start.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(180);

    private static readonly Lock LiveGate = new();
    private static readonly HashSet<ChildProcess> LiveSet = [];

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _gate = new();
    private readonly StringBuilder _tail = new();

    private ChildProcess(string name, Process process, StreamWriter log)
    {
        Name = name;
        _process = process;
        _log = log;
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public static IReadOnlyList<ChildProcess> Live
    {
        get
        {
            lock (LiveGate)
            {
                return [.. LiveSet];
            }
        }
    }

    /// <summary>Starts the child and returns it with the first stdout JSON line whose event is <paramref name="readyEvent"/>.</summary>
    public static async Task<(ChildProcess Child, JsonElement Event)> StartAsync(string name, string dll, IReadOnlyList<string> args, string logFile,
        string readyEvent, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(BuiltOutputs.DotnetHost)
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

        // The sandbox's cluster is the emulator; never a real one from the environment.
        info.Environment.Remove("KUBERNETES_SERVICE_HOST");
        info.Environment.Remove("KUBECONFIG");
        info.Environment["DOTNET_gcServer"] = "0";

        var process = Process.Start(info) ?? throw new InvalidOperationException($"{name}: could not start {dll}");
        var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        var child = new ChildProcess(name, process, log);
        lock (LiveGate)
        {
            LiveSet.Add(child);
        }

        var ready = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException($"{name} exited before it was up:\n{child.Tail}"));
                return;
            }

            child.Append(e.Data);
            if (TryParseEvent(e.Data, readyEvent) is { } evt)
            {
                ready.TrySetResult(evt);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                child.Append(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        try
        {
            var evt = await ready.Task.WaitAsync(timeout.Token);
            return (child, evt);
        }
        catch (Exception)
        {
            child.Kill();
            child.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            if (ready.Task.IsFaulted)
            {
                throw ready.Task.Exception.InnerException!;
            }

            throw new TimeoutException($"{name} did not report '{readyEvent}' within {StartTimeout.TotalSeconds:0}s:\n{child.Tail}");
        }
    }

    public string Tail
    {
        get
        {
            lock (_gate)
            {
                return _tail.ToString();
            }
        }
    }

    /// <summary>SIGKILL (kill -9): no shutdown code runs.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>SIGTERM, then SIGKILL when it has not exited after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }

        try
        {
            using var term = Process.Start(new ProcessStartInfo("kill", ["-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])
            {
                UseShellExecute = false,
            });
            term?.WaitForExit();
            using var cts = new CancellationTokenSource(grace);
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            Kill();
        }
    }

    public void Dispose()
    {
        lock (LiveGate)
        {
            LiveSet.Remove(this);
        }

        _process.Dispose();
        lock (_gate)
        {
            _log.Dispose();
        }
    }

    private void Append(string line)
    {
        lock (_gate)
        {
            _tail.AppendLine(line);
            if (_tail.Length > 8000)
            {
                _tail.Remove(0, _tail.Length - 6000);
            }

            try
            {
                _log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // Output after the child was disposed.
            }
        }
    }

    private static JsonElement? TryParseEvent(string line, string name)
    {
        if (!line.StartsWith('{'))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.TryGetProperty("event", out var evt) && evt.ValueKind == JsonValueKind.String && evt.GetString() == name
                ? doc.RootElement.Clone()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
