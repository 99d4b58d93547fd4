using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace K8sReplication.Sandbox.Processes;

/// <summary>
/// A real Prometheus (the <c>prometheus</c> binary on PATH, e.g. Debian's package) scraping every sidecar and the
/// operator every 5 seconds. Its targets live in a file Prometheus watches (file service discovery), rewritten when
/// members come, go or move ports, so no reload is needed. Data and logs stay in the sandbox folder.
/// </summary>
internal sealed class PrometheusServer : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly string _targetsFile;
    private string _written = "";

    private PrometheusServer(Process process, string targetsFile, Uri url)
    {
        _process = process;
        _targetsFile = targetsFile;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>Starts Prometheus over <paramref name="targets"/> (host:port of each /metrics) and waits until it is ready.</summary>
    public static async Task<PrometheusServer> StartAsync(string dir, IEnumerable<string> targets, CancellationToken cancellationToken)
    {
        var binary = FindOnPath("prometheus")
            ?? throw new InvalidOperationException("--prometheus: no 'prometheus' on PATH (Debian: apt-get install prometheus)");
        var folder = Path.Combine(dir, "prometheus");
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
        var targetsFile = Path.Combine(folder, "targets.json");
        var config = Path.Combine(folder, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 5s
            scrape_configs:
              - job_name: k8s-replication
                file_sd_configs:
                  - files: ["{targetsFile}"]
                    refresh_interval: 5s
            """, cancellationToken);
        var port = FreePort();
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     "--config.file=" + config, "--storage.tsdb.path=" + Path.Combine(folder, "data"),
                     $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn",
                 })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + binary);
        var log = new StreamWriter(Path.Combine(dir, "prometheus.log")) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new PrometheusServer(process, targetsFile, new Uri($"http://127.0.0.1:{port}/"));
        server.UpdateTargets(targets);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"prometheus exited with {process.ExitCode} (see {dir}/prometheus.log)");
            }

            try
            {
                if ((await http.GetAsync(new Uri(server.Url, "-/ready"), cancellationToken)).StatusCode == HttpStatusCode.OK)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Slow to answer yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                server.Dispose();
                throw new TimeoutException($"prometheus was not ready within {StartTimeout.TotalSeconds:0}s (see {dir}/prometheus.log)");
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    /// <summary>How many of its targets Prometheus scraped successfully last time (<c>up == 1</c>), and how many it has.</summary>
    public async Task<(int Up, int Total)> TargetsUpAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var answer = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri(Url, "api/v1/query?query=up"), cancellationToken));
        var results = answer.RootElement.GetProperty("data").GetProperty("result").EnumerateArray().ToList();
        return (results.Count(r => r.GetProperty("value")[1].GetString() == "1"), results.Count);
    }

    /// <summary>Rewrites the targets file when the targets changed (atomically: Prometheus never reads half a file).</summary>
    public void UpdateTargets(IEnumerable<string> targets)
    {
        var json = "[{\"targets\": [" + string.Join(", ", targets.Order(StringComparer.Ordinal).Select(t => $"\"{t}\"")) + "]}]\n";
        if (json == _written)
        {
            return;
        }

        var temp = _targetsFile + ".tmp";
        File.WriteAllText(temp, json);
        File.Move(temp, _targetsFile, overwrite: true);
        _written = json;
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

    private static void Write(StreamWriter log, string? line)
    {
        if (line is not null)
        {
            lock (log)
            {
                log.WriteLine(line);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name)).FirstOrDefault(File.Exists);
}
