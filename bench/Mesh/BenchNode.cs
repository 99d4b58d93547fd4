using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using K8sReplication.Bench.Cases;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Config;
using K8sReplication.Contracts.Health;
using K8sReplication.Contracts.Json;
using K8sReplication.Bench.Suite;
using K8sReplication.TestKit.Processes;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Bench.Mesh;

/// <summary>
/// One member: an app database (table t(k TEXT PRIMARY KEY, v BLOB) unless told otherwise) and the real Release
/// sidecar process, --listen/--admin-listen 127.0.0.1:0: the build in <see cref="Sidecar"/> (the `all` command sets it
/// to the Native AOT binary unless told `--sidecar jit`), or the one given to the constructor.
/// </summary>
internal sealed class BenchNode : IAsyncDisposable
{
    public const string Schema = "CREATE TABLE t(k TEXT PRIMARY KEY, v BLOB)";
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private readonly StringBuilder _stderr = new();
    private readonly SidecarBinary _binary;
    private Process? _process;

    public BenchNode(string name, string folder, string interval = "2s", SidecarBinary? binary = null)
    {
        Name = name;
        Folder = folder;
        Interval = interval;
        _binary = binary ?? Sidecar;
        Directory.CreateDirectory(folder);
    }

    /// <summary>The JIT build next to this tool (`dotnet k8srepl-sidecar.dll`, Release, ReadyToRun off).</summary>
    public static SidecarBinary Jit => new(Path.Combine(AppContext.BaseDirectory, "k8srepl-sidecar.dll"));

    /// <summary>The build every node runs unless given another; set once at the start of a run.</summary>
    public static SidecarBinary Sidecar { get; set; } = Jit;

    public string Name { get; }

    public string Folder { get; }

    public string Interval { get; }

    /// <summary>Flags added to every start (TLS files, say).</summary>
    public IReadOnlyList<string> Flags { get; set; } = [];

    /// <summary>
    /// The CPUs the process may run on (a <c>taskset -c</c> list such as "1"), or null for any: a member pinned apart
    /// stands for one on a node of its own, whose work does not take the other members' cores.
    /// </summary>
    public string? Cpus { get; set; }

    /// <summary>The token config pushes carry (the member's <c>--token-file</c> content), or null.</summary>
    public string? Token { get; set; }

    public string DbPath => Path.Combine(Folder, "app.db");

    public Uri ReplicationUrl { get; private set; } = null!;

    public Uri AdminUrl { get; private set; } = null!;

    public int Pid => _process?.Id ?? throw new InvalidOperationException("not started");

    /// <summary>Seconds from process start to the listening line.</summary>
    public double ListeningSeconds { get; private set; }

    public void CreateDatabase(string schema = Schema)
    {
        LimitCases.DeleteDb(DbPath);
        using var c = LimitCases.OpenApp(DbPath);
        LimitCases.Exec(c, schema);
    }

    public SqliteConnection Open() => LimitCases.OpenApp(DbPath);

    public async Task StartAsync(IEnumerable<(string Name, Uri Url)>? peers = null)
    {
        var info = _binary.CreateStartInfo(["--database", DbPath, "--node-name", Name, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
            "--anti-entropy-interval", Interval, "--state-dir", Path.Combine(Folder, "state"), .. Flags]);

        foreach (var (name, url) in peers ?? [])
        {
            info.ArgumentList.Add("--peer");
            info.ArgumentList.Add($"{name}={url}");
        }

        if (Cpus is not null)
        {
            // taskset execs the sidecar: the process keeps its pid, and every thread it starts stays on these CPUs.
            string[] command = [info.FileName, .. info.ArgumentList];
            info.FileName = "taskset";
            info.ArgumentList.Clear();
            foreach (var arg in (string[])["-c", Cpus, .. command])
            {
                info.ArgumentList.Add(arg);
            }
        }

        var sw = Stopwatch.StartNew();
        var p = Process.Start(info) ?? throw new InvalidOperationException("cannot start the sidecar");
        _process = p;
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr)
                {
                    if (_stderr.Length < 200_000)
                    {
                        _stderr.AppendLine(e.Data);
                    }
                }
            }
        };
        p.BeginErrorReadLine();
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = Task.Run(async () =>
        {
            while (await p.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line.Contains("\"listening\"", StringComparison.Ordinal))
                {
                    listening.TrySetResult(line);
                }
            }

            listening.TrySetException(new InvalidOperationException($"sidecar {Name} exited before listening: {Stderr}"));
        });
        if (await Task.WhenAny(listening.Task, Task.Delay(TimeSpan.FromSeconds(120))) != listening.Task)
        {
            throw new TimeoutException($"sidecar {Name} did not listen: {Stderr}");
        }

        ListeningSeconds = sw.Elapsed.TotalSeconds;
        using var doc = JsonDocument.Parse(await listening.Task);
        ReplicationUrl = new Uri(doc.RootElement.GetProperty("replication").GetString()!);
        AdminUrl = new Uri(doc.RootElement.GetProperty("admin").GetString()!);
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public async Task<bool> IsReadyAsync()
    {
        try
        {
            using var r = await Http.GetAsync(new Uri(AdminUrl, Paths.Readyz));
            return r.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public Task WaitReadyAsync(TimeSpan? timeout = null) =>
        Shell.WaitAsync(IsReadyAsync, timeout ?? TimeSpan.FromMinutes(3), $"{Name} /readyz 200", 5);

    public async Task<SidecarHealth> StatusAsync()
    {
        var json = await Http.GetStringAsync(new Uri(AdminUrl, Paths.Status));
        return JsonSerializer.Deserialize(json, ContractsJsonContext.Default.SidecarHealth)!;
    }

    public async Task SetPeersAsync(long generation, params (string Name, Uri Url)[] peers)
    {
        var body = JsonSerializer.Serialize(new SidecarConfig
        {
            Generation = generation,
            Peers = [.. peers.Select(p => new PeerConfig { Name = p.Name, Url = p.Url.ToString() })],
        }, ContractsJsonContext.Default.SidecarConfig);
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(AdminUrl, Paths.Config))
        {
            Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        if (Token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        }

        using var response = await Http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"config push to {Name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>Sum of the samples (all label sets) of metrics whose name starts with <paramref name="name"/>, from /metrics.</summary>
    public async Task<double> MetricAsync(string name)
    {
        var text = await Http.GetStringAsync(new Uri(AdminUrl, Paths.Metrics));
        var sum = 0.0;
        foreach (var line in text.Split('\n'))
        {
            // Prefix match: every series of the family, whatever its labels.
            if (line.StartsWith(name, StringComparison.Ordinal) && !line.StartsWith('#'))
            {
                sum += double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return sum;
    }

    public long Scalar(string sql)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar() is long l ? l : 0;
    }

    public async Task StopAsync()
    {
        if (_process is { HasExited: false } p)
        {
            Shell.Run("kill", ["-TERM", p.Id.ToString(CultureInfo.InvariantCulture)], check: false);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await p.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                p.Kill(entireProcessTree: true);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }
    }
}
