using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace K8sReplication.TestKit.Processes;

/// <summary>
/// Runs the built <c>k8srepl-sidecar</c> as a real process (by default <c>dotnet k8srepl-sidecar.dll</c> from the test's
/// bin folder; see <see cref="SidecarBinary.Default"/> for <c>K8SREPL_SIDECAR_DLL</c> and, for the Native AOT binary,
/// <c>K8SREPL_SIDECAR_EXE</c>), waits for its listening line, and kills, stops or restarts it with the same flags.
/// Stderr is captured for failure messages.
/// </summary>
public sealed class SidecarProcess : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly IReadOnlyList<string> _args;
    private readonly IReadOnlyDictionary<string, string> _env;
    private readonly SidecarBinary _binary;
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();
    private Process? _process;

    private SidecarProcess(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> env, SidecarBinary binary)
    {
        _args = args;
        _env = env;
        _binary = binary;
    }

    public ListeningEvent Listening { get; private set; } = null!;

    public Uri ReplicationUrl => Listening.Replication;

    public Uri AdminUrl => Listening.Admin;

    public string Site => Listening.Site;

    public IReadOnlyList<string> Arguments => _args;

    /// <summary>The build this process runs (JIT assembly or native executable).</summary>
    public SidecarBinary Binary => _binary;

    public bool HasExited => _process is null || _process.HasExited;

    public int? ExitCode => _process is { HasExited: true } p ? p.ExitCode : null;

    /// <summary>Process id of the running (or last) sidecar process (the native binary, or <c>dotnet</c> hosting the app).</summary>
    public int Pid => _process?.Id ?? throw new InvalidOperationException("not started");

    /// <summary>Peak (VmHWM) and current (VmRSS) resident memory of the sidecar process.</summary>
    public ProcessMemory Memory() => ProcessMemory.Read(Pid);

    public string Stderr
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts the sidecar and waits for its listening line; <paramref name="binary"/> defaults to <see cref="SidecarBinary.Default"/>.</summary>
    public static async Task<SidecarProcess> StartAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? env = null, SidecarBinary? binary = null)
    {
        var sidecar = new SidecarProcess(args, env ?? new Dictionary<string, string>(), binary ?? SidecarBinary.Default);
        await sidecar.LaunchAsync();
        return sidecar;
    }

    /// <summary>
    /// Starts the sidecar without waiting for it: <paramref name="started"/> completes with its listening line, and
    /// <see cref="Stderr"/> can be watched meanwhile (a start that waits for something).
    /// </summary>
    public static SidecarProcess Begin(IReadOnlyList<string> args, out Task started)
    {
        var sidecar = new SidecarProcess(args, new Dictionary<string, string>(), SidecarBinary.Default);
        started = sidecar.LaunchAsync();
        return sidecar;
    }

    /// <summary>Runs the sidecar to completion (for flag/config errors) with a deadline.</summary>
    public static async Task<ProcessExit> RunToExitAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? env = null, TimeSpan? timeout = null, SidecarBinary? binary = null)
    {
        using var process = Process.Start(CreateStartInfo(binary ?? SidecarBinary.Default, args, env ?? new Dictionary<string, string>()))
            ?? throw new InvalidOperationException("could not start the sidecar");
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
            throw new TimeoutException("the sidecar did not exit: " + await stderr);
        }

        return new ProcessExit(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit(10_000);
        }
    }

    /// <summary>SIGTERM and wait for exit; returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        var p = _process ?? throw new InvalidOperationException("not started");
        if (!p.HasExited)
        {
            Signals.Terminate(p.Id);
            using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
            try
            {
                await p.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                p.Kill(entireProcessTree: true);
                throw new TimeoutException("the sidecar did not stop after SIGTERM:\n" + Stderr);
            }
        }

        return p.ExitCode;
    }

    /// <summary>Starts again with the same flags and environment (after <see cref="Kill"/> or <see cref="StopAsync"/>).</summary>
    public async Task RestartAsync()
    {
        if (!HasExited)
        {
            throw new InvalidOperationException("the sidecar is still running");
        }

        _process?.Dispose();
        await LaunchAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                Kill();
            }

            _process.Dispose();
        }

        await Task.CompletedTask;
    }

    private static ProcessStartInfo CreateStartInfo(SidecarBinary binary, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> env)
    {
        var info = binary.CreateStartInfo(args);

        // On SIGTERM a sidecar waits up to drainTimeout (30 s by default) for a peer to fetch the changes only it holds.
        // Most tests stop members whose peers are fakes or already stopped: test sidecars exit at once unless the test
        // sets a drain timeout itself (the drain tests do).
        if (!args.Any(a => a.StartsWith("--drain-timeout", StringComparison.Ordinal)))
        {
            info.Environment[Contracts.EnvVars.DrainTimeout] = "0s";
        }

        foreach (var (key, value) in env)
        {
            info.Environment[key] = value;
        }

        return info;
    }

    private async Task LaunchAsync()
    {
        var process = Process.Start(CreateStartInfo(_binary, _args, _env)) ?? throw new InvalidOperationException("could not start the sidecar");
        _process = process;
        lock (_gate)
        {
            _stderr.AppendLine($"--- start pid {process.Id} ---");
        }

        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_gate)
                {
                    _stderr.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();

        var listening = new TaskCompletionSource<ListeningEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                if (TryParseListening(line) is { } evt)
                {
                    listening.TrySetResult(evt);
                }
            }

            listening.TrySetException(new InvalidOperationException("the sidecar exited before listening:\n" + Stderr));
        });

        var done = await Task.WhenAny(listening.Task, Task.Delay(StartTimeout));
        if (done != listening.Task)
        {
            Kill();
            throw new TimeoutException("the sidecar did not print its listening line:\n" + Stderr);
        }

        Listening = await listening.Task;
    }

    private static ListeningEvent? TryParseListening(string line)
    {
        if (!line.StartsWith('{'))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            return root.TryGetProperty("event", out var evt) && evt.GetString() == "listening"
                ? new ListeningEvent(
                    new Uri(root.GetProperty("replication").GetString()!),
                    new Uri(root.GetProperty("admin").GetString()!),
                    root.GetProperty("site").GetString()!)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
