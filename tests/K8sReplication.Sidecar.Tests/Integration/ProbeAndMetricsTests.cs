using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using K8sReplication.TestKit;
using K8sReplication.TestKit.Processes;

namespace K8sReplication.Sidecar.Tests.Integration;

/// <summary>Probes, metrics (checked by the real promtool) and process behaviour (exit codes, SIGTERM).</summary>
public sealed class ProbeAndMetricsTests
{
    [Fact]
    public async Task Readyz_Is503UntilTheFirstCatchUp_Then200_AndLivezStays200UnderLoad()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var peer = await FakePeer.StartAsync(app =>
        {
            app.MapGet("/v1/schema", async ctx =>
            {
                await release.Task;
                await FakePeer.Json(ctx, "{\"site\":\"0123456789abcdef0123456789abcdef\",\"tables\":{}}");
            });
            app.MapGet("/v1/changes", ctx => FakePeer.Json(ctx, "{\"site\":\"0123456789abcdef0123456789abcdef\",\"hlc\":0,\"now\":0,\"lastSeq\":0,\"maxSeq\":0,\"changes\":[]}"));
        });

        // The peer comes from the config file, so it is there from the first instant.
        var db = new K8sReplication.TestKit.Sqlite.TempDatabase();
        using (var c = db.OpenConnection())
        {
            K8sReplication.TestKit.Sqlite.SqliteConnectionTestExtensions.Execute(c, TestMesh.ItemsSchema);
        }

        var configFile = Path.Combine(db.Folder, "config.yaml");
        await File.WriteAllTextAsync(configFile, $"peers:\n  - name: slow\n    url: {peer.Url}\n");
        await using var sidecar = await SidecarProcess.StartAsync(["--database", db.FilePath, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--config", configFile, "--node-name", "me"]);
        using var http = new HttpClient();
        using (var notReady = await http.GetAsync(new Uri(sidecar.AdminUrl, "/readyz")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
            Assert.Contains("catch-up", await notReady.Content.ReadAsStringAsync());
        }

        release.SetResult();
        await Eventually.ValueAsync(async () => (await http.GetAsync(new Uri(sidecar.AdminUrl, "/readyz"))).StatusCode,
            s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(20), "ready after the first catch-up");

        // Load: app writes in a loop while the probe is polled.
        using var cts = new CancellationTokenSource();
        var writer = Task.Run(() =>
        {
            using var c = db.OpenConnection();
            var i = 0;
            while (!cts.IsCancellationRequested)
            {
                K8sReplication.TestKit.Sqlite.SqliteConnectionTestExtensions.Execute(c, $"INSERT INTO items VALUES ('load-{i++}', randomblob(100), 1)");
            }
        });
        for (var i = 0; i < 50; i++)
        {
            using var live = await http.GetAsync(new Uri(sidecar.AdminUrl, "/livez"));
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        await cts.CancelAsync();
        await writer;
        Assert.Equal(0, await sidecar.StopAsync());
        db.Dispose();
    }

    [Fact]
    public async Task Metrics_PassPromtool_AndCountersMoveWithReplication()
    {
        var promtool = Environment.GetEnvironmentVariable("K8SREPL_PROMTOOL") is { Length: > 0 } p ? p : "promtool";
        await using var mesh = await TestMesh.StartAsync(2);
        await mesh.ConnectFullMeshAsync();
        mesh[0].Exec("INSERT INTO items VALUES ('m1', 'x', 1), ('m2', 'y', 2)");
        await mesh.WaitConvergedAsync(TimeSpan.FromSeconds(30), "replicated");

        using var http = new HttpClient();
        var text = await Eventually.ValueAsync(() => http.GetStringAsync(new Uri(mesh[1].Process.AdminUrl, "/metrics")),
            t => t.Contains("replication_changes_applied_total{peer=\"n0\"} 2", StringComparison.Ordinal) && t.Contains("replication_antientropy_rounds_total{", StringComparison.Ordinal),
            TimeSpan.FromSeconds(15), "applied counter moved and an anti-entropy round ran");
        foreach (var name in new[] { "replication_engine_state 2", "replication_peers{state=\"connected\"} 1", "replication_lag_changes", "replication_rows 2", "replication_circuit_state{circuit=\"database\"} 0", "replication_peer_requests_total", "replication_batch_duration_seconds_bucket", "replication_antientropy_rounds_total" })
        {
            Assert.Contains(name, text);
        }

        var captured = await http.GetStringAsync(new Uri(mesh[0].Process.AdminUrl, "/metrics"));
        Assert.Contains("replication_changes_captured_total 2", captured);

        // The writer's feed sent its 2 changes to the other member in the binary format, read from its store.
        Assert.True(Sample(captured, "replication_feed_changes_served_total{format=\"frames\"}") >= 2, captured);
        Assert.True(Sample(captured, "replication_feed_answers_total{format=\"frames\",outcome=\"changes\"}") >= 1, captured);
        Assert.True(Sample(captured, "replication_feed_reads_total{source=\"store\",result=\"changes\"}") >= 1, captured);
        Assert.Equal(0, Sample(captured, "replication_feed_changes_served_total{format=\"json\"}"));

        ProcessStartInfo info = new(promtool, ["check", "metrics"]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"promtool not found ('{promtool}'); install Debian's prometheus package or set K8SREPL_PROMTOOL", e);
        }

        using (process)
        {
            await process.StandardInput.WriteAsync(text);
            process.StandardInput.Close();
            var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, "promtool check metrics failed:\n" + output);
        }
    }

    /// <summary>The value of the series <paramref name="series"/> (name and labels as exported) in a scrape; 0 when absent (a labelled series is exported once it moved).</summary>
    private static double Sample(string scrape, string series) =>
        scrape.Split('\n').SingleOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal)) is { } line
            ? double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture)
            : 0;

    [Theory]
    [InlineData("--bogus", "--bogus")]
    [InlineData("--anti-entropy-interval=5 parsecs", "antiEntropy.interval")]
    [InlineData("--listen=nowhere", "listen")]
    [InlineData("--peer=justaname", "--peer")]
    public async Task InvalidFlags_ExitWithCode2_NamingTheKey(string flag, string key)
    {
        var exit = await SidecarProcess.RunToExitAsync(["--database", "/tmp/never-opened.db", flag]);
        Assert.Equal(2, exit.ExitCode);
        Assert.Contains(key, exit.Stderr);
    }

    [Fact]
    public async Task MissingDatabase_ExitsWithCode2_NamingDatabase()
    {
        var exit = await SidecarProcess.RunToExitAsync(["--listen", "127.0.0.1:0"], new Dictionary<string, string> { ["K8SREPL_DATABASE"] = "" });
        Assert.Equal(2, exit.ExitCode);
        Assert.Contains("database", exit.Stderr);
    }
}
