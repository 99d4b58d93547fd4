using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using K8sReplication.Bench.Suite;
using K8sReplication.TestKit.Processes;

namespace K8sReplication.Bench.Operator;

/// <summary>
/// The real Release operator (`dotnet k8srepl-operator.dll` from this tool's output, or K8SREPL_OPERATOR_DLL) as a
/// process we can measure: its pid for /proc, its started line (informers synced), its /metrics, and its output tail.
/// </summary>
internal sealed class OperatorRun : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _gate = new();

    private OperatorRun(Process process) => _process = process;

    public static string Dll =>
        Environment.GetEnvironmentVariable("K8SREPL_OPERATOR_DLL") is { Length: > 0 } dll
            ? dll
            : Path.Combine(AppContext.BaseDirectory, "k8srepl-operator.dll");

    public int Pid => _process.Id;

    public OperatorStartedEvent Started { get; private set; } = null!;

    /// <summary>Process start to the started line.</summary>
    public TimeSpan ToStarted { get; private set; }

    public string OutputTail
    {
        get
        {
            lock (_gate)
            {
                var s = _output.ToString();
                return s.Length <= 4000 ? s : s[^4000..];
            }
        }
    }

    public static async Task<OperatorRun> StartAsync(IEnumerable<string> args)
    {
        if (!File.Exists(Dll))
        {
            throw new FileNotFoundException($"operator not built at {Dll}; build the bench with -c Release or set K8SREPL_OPERATOR_DLL", Dll);
        }

        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Dll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment.Remove("KUBERNETES_SERVICE_HOST"); // never a real cluster by accident
        var sw = Stopwatch.StartNew();
        var run = new OperatorRun(Process.Start(info) ?? throw new InvalidOperationException("cannot start the operator"));
        var started = new TaskCompletionSource<OperatorStartedEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        run._process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                started.TrySetException(new InvalidOperationException("the operator exited before it started:\n" + run.OutputTail));
                return;
            }

            run.Append(e.Data);
            if (ParseStarted(e.Data) is { } evt)
            {
                started.TrySetResult(evt);
            }
        };
        run._process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                run.Append(e.Data);
            }
        };
        run._process.BeginOutputReadLine();
        run._process.BeginErrorReadLine();
        if (await Task.WhenAny(started.Task, Task.Delay(TimeSpan.FromSeconds(90))) != started.Task)
        {
            await run.DisposeAsync();
            throw new TimeoutException("the operator did not print its started line:\n" + run.OutputTail);
        }

        run.Started = await started.Task;
        run.ToStarted = sw.Elapsed;
        return run;
    }

    /// <summary>Sum of <c>k8srepl_reconcile_total</c> over its result labels, from /metrics.</summary>
    public async Task<double> ReconcilesAsync()
    {
        var text = await Http.GetStringAsync(new Uri(Started.Metrics, "/metrics"));
        var total = 0.0;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("k8srepl_reconcile_total", StringComparison.Ordinal)
                && (line.Length == "k8srepl_reconcile_total".Length || line["k8srepl_reconcile_total".Length] is '{' or ' '))
            {
                total += double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return total;
    }

    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        Shell.Run("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)], check: false);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Append(string line)
    {
        lock (_gate)
        {
            _output.AppendLine(line);
            if (_output.Length > 64_000)
            {
                _output.Remove(0, 32_000);
            }
        }
    }

    private static OperatorStartedEvent? ParseStarted(string line)
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
                ? new OperatorStartedEvent(new Uri(root.GetProperty("health").GetString()!), new Uri(root.GetProperty("metrics").GetString()!),
                    root.GetProperty("identity").GetString()!)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
