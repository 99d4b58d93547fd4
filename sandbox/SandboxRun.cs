using System.Globalization;
using K8sReplication.Sandbox.Cluster;
using K8sReplication.Sandbox.Members;
using K8sReplication.Sandbox.Processes;
using K8sReplication.Sandbox.Scenarios;
using K8sReplication.Sandbox.View;

namespace K8sReplication.Sandbox;

/// <summary>
/// One sandbox run: emulator + CRD, operator, N sidecars with their pods, the sample mesh, the app writer, the live
/// view, an optional scenario, and a final summary. Everything started is stopped before it returns.
/// </summary>
internal sealed class SandboxRun(SandboxOptions options)
{
    private const string Token = "sandbox-replication-token";

    public async Task<int> RunAsync(CancellationToken stop)
    {
        var plain = options.Plain || Console.IsOutputRedirected;
        var narrator = new Narrator(plain);
        PrepareFolder();
        var tokenFile = Path.Combine(options.Dir, "token");
        await File.WriteAllTextAsync(tokenFile, Token, stop);
        await File.WriteAllTextAsync(Path.Combine(options.Dir, "mesh.yaml"), EmulatedCluster.MeshYaml(BackupDir), stop);

        narrator.Say($"sandbox folder {options.Dir}; sandbox pid {Environment.ProcessId}");
        await using var cluster = await EmulatedCluster.StartAsync(options.Dir, stop);
        using var members = new MemberSet();
        ChildProcess? op = null;
        PrometheusServer? prometheus = null;
        var writer = options.Writer ? new AppWriter(members, TimeSpan.FromMilliseconds(120)) : null;
        using var observer = new ClusterObserver(cluster, members, writer);
        var context = new SandboxContext(options, cluster, members, writer, observer, narrator, tokenFile);
        using var writerStop = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var writerTask = Task.CompletedTask;
        try
        {
            narrator.Say($"Kubernetes API emulator at {cluster.Api.Url}; kubeconfig {cluster.Kubeconfig}");
            await cluster.ApplyCrdAsync(stop);
            await cluster.CreateTokenSecretAsync(Token, stop);
            narrator.Say("applied the ReplicationMesh CRD and the token Secret");

            var (started, evt) = await ChildProcess.StartAsync("operator", BuiltOutputs.OperatorDll,
            [
                "--kubeconfig", cluster.Kubeconfig, "--namespace", EmulatedCluster.Namespace,
                "--health-listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0",
                "--resync", "2s", "--sidecar-timeout", "2s",
            ], Path.Combine(options.Dir, "operator.log"), "started", stop);
            op = started;
            var operatorMetrics = evt.TryGetProperty("metrics", out var m) ? m.GetString() : null;
            narrator.Say($"operator pid {op.Pid} started (metrics {operatorMetrics})");

            await Task.WhenAll(Enumerable.Range(0, options.Members).Select(i => context.StartMemberAsync(SandboxContext.MemberName(i), stop)));
            await cluster.ApplyMeshAsync(BackupDir, stop);
            narrator.Say($"applied ReplicationMesh '{EmulatedCluster.MeshName}' selecting app={EmulatedCluster.AppLabel} ({options.Dir}/mesh.yaml)");
            if (options.Prometheus)
            {
                prometheus = await PrometheusServer.StartAsync(options.Dir, ScrapeTargets(operatorMetrics, members), stop);
                narrator.Say($"Prometheus at {prometheus.Url} scrapes every sidecar and the operator every 5s (try the query replication_rows)");
            }

            var hints = Hints(operatorMetrics, members);
            foreach (var hint in hints)
            {
                narrator.Say(hint);
            }

            var view = new LiveView(plain, narrator, hints);
            using var viewStop = CancellationTokenSource.CreateLinkedTokenSource(stop);
            var viewTask = RefreshAsync(context, view, () => prometheus?.UpdateTargets(ScrapeTargets(operatorMetrics, members)), viewStop.Token);
            try
            {
                var (ready, first) = await context.WaitForAsync(s => s.Converged, SandboxContext.ConvergenceTimeout, stop);
                narrator.Say(ready
                    ? $"mesh ready: {first.Members.Count} members, Ready=True, Converged=True"
                    : "the mesh did not become ready and converged in time (see operator.log and <member>/sidecar.log)");
                if (writer is not null)
                {
                    writerTask = writer.RunAsync(writerStop.Token);
                    narrator.Say("the app writer inserts and updates notes, and inserts events with INTEGER ids from each member's own range (ordinal << 40), on random members");
                }

                var demoStart = narrator.Elapsed;
                ScenarioOutcome? outcome = null;
                if (options.Scenario is { } scenario)
                {
                    outcome = scenario switch
                    {
                        "kill" => await KillScenario.RunAsync(context, stop),
                        "add-member" => await AddMemberScenario.RunAsync(context, stop),
                        _ => await PartitionScenario.RunAsync(context, Token, stop),
                    };
                    narrator.Say(outcome.Line);
                }

                var remaining = options.Duration is { } d ? d - (narrator.Elapsed - demoStart) : Timeout.InfiniteTimeSpan;
                if (remaining > TimeSpan.Zero || remaining == Timeout.InfiniteTimeSpan)
                {
                    await Task.Delay(remaining, stop);
                }

                await writerStop.CancelAsync();
                await writerTask;
                narrator.Say("writer stopped; waiting for the mesh to settle");
                var (converged, final) = await context.WaitForAsync(s => s.Converged, SandboxContext.ConvergenceTimeout, stop);
                await viewStop.CancelAsync();
                await viewTask;
                view.Render(final);
                if (writer is not null)
                {
                    narrator.Say(await DescribeEventsAsync(members, writer, stop));
                }

                if (prometheus is not null)
                {
                    narrator.Say(await DescribeScrapesAsync(prometheus, members.All.Count + 1, stop));
                }

                var ok = converged && outcome?.Reached != false;
                var scenarioPart = outcome is null ? "" : $" scenario={options.Scenario} outcome={(outcome.Reached ? "reached" : "failed")}";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"converged: {(converged ? "true" : "false")} members={final.Members.Count} rows={final.Rows} root={final.Root} writes={final.Writes} events={final.Events}{scenarioPart}"));
                return ok ? 0 : 1;
            }
            finally
            {
                await viewStop.CancelAsync();
                await viewTask;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            Console.WriteLine("stopping (signal received)");
            return 130;
        }
        finally
        {
            await writerStop.CancelAsync();
            await writerTask;
            await Task.WhenAll(members.StopAllAsync(), op?.StopAsync(TimeSpan.FromSeconds(15)) ?? Task.CompletedTask);
            op?.Dispose();
            prometheus?.Dispose();
            foreach (var child in ChildProcess.Live)
            {
                child.Kill();
                child.Dispose();
            }

            Console.WriteLine("stopped: no sandbox process left running");
        }
    }

    private static async Task RefreshAsync(SandboxContext context, LiveView view, Action everySecond, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            do
            {
                view.Render(await context.CaptureAsync(cancellationToken));
                everySecond();
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped.
        }
    }

    /// <summary>
    /// What became of the app's events (INTEGER keys from each member's own range): how many every member holds, per
    /// member that wrote them, whether each lies in its writer's range, and how many conflicts the members logged on
    /// the table (none: ranges never overlap).
    /// </summary>
    private static async Task<string> DescribeEventsAsync(MemberSet members, AppWriter writer, CancellationToken cancellationToken)
    {
        var all = members.All;
        var tallies = all.Select(m => AppSchema.TallyEvents(m.DatabasePath)).ToList();
        var same = tallies.All(t => t.SequenceEqual(tallies[0]));
        var count = tallies[0].Sum(t => t.Count);
        var byMember = string.Join(", ", tallies[0].Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Member} {t.Count}")));
        var outOfRange = tallies.SelectMany(t => t).Count(t => !t.InOwnRange);
        string conflicts;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            var logged = await Task.WhenAll(all.Select(m => m.ReadConflictsAsync(http, AppSchema.EventsTable, cancellationToken)));
            conflicts = logged.Sum(l => l.Count).ToString(CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException
            || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            conflicts = "unknown (" + e.Message + ")";
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"events: {count} {(same ? "on every member" : "on " + all[0].Name + " (members differ)")}, {writer.Events} written by the app "
            + $"({(byMember.Length > 0 ? byMember : "none")}), {(outOfRange == 0 ? "each id in its member's own range" : outOfRange + " outside their member's range")}; "
            + $"conflicts on events: {conflicts}");
    }

    /// <summary>
    /// Whether Prometheus scrapes every target (each sidecar and the operator): waits up to 20 s for its scrapes (every
    /// 5 s, targets rediscovered every 5 s) to reach every one.
    /// </summary>
    private static async Task<string> DescribeScrapesAsync(PrometheusServer prometheus, int targets, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        (int Up, int Total) seen = (0, 0);
        while (true)
        {
            try
            {
                seen = await prometheus.TargetsUpAsync(cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException or KeyNotFoundException
                || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // Asked again below.
            }

            if ((seen.Up == targets && seen.Total == targets) || DateTime.UtcNow > deadline)
            {
                return string.Create(CultureInfo.InvariantCulture, $"prometheus: {seen.Up} of {targets} targets up ({prometheus.Url})");
            }

            await Task.Delay(500, cancellationToken);
        }
    }

    /// <summary>host:port of every /metrics the sandbox serves: each member's admin port and the operator's metrics port.</summary>
    private static IEnumerable<string> ScrapeTargets(string? operatorMetrics, MemberSet members)
    {
        foreach (var member in members.All)
        {
            yield return member.AdminUrl.Authority;
        }

        if (operatorMetrics is not null)
        {
            yield return Uri.TryCreate(operatorMetrics, UriKind.Absolute, out var url) ? url.Authority : operatorMetrics;
        }
    }

    /// <summary>Where the sample mesh archives its backup (absolute: a file:// URL).</summary>
    private string BackupDir => Path.Combine(Path.GetFullPath(options.Dir), "backup");

    private List<string> Hints(string? operatorMetrics, MemberSet members)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, options.Dir);
        var hints = new List<string>
        {
            $"look around: KUBECONFIG={relative}/kubeconfig kubectl get rmesh -w",
            $"             sqlite3 {relative}/{SandboxContext.MemberName(0)}/app.db 'SELECT count(*) FROM notes'",
            $"             operator metrics {operatorMetrics}",
            $"             conflict log: curl -H \"Authorization: Bearer $(cat {relative}/token)\" <admin>/v1/conflicts?table=notes",
            $"             backup (every 2s): dotnet {Path.GetRelativePath(Environment.CurrentDirectory, BuiltOutputs.SidecarDll)} restore " +
            $"--from file://{BackupDir}/{EmulatedCluster.Namespace}/{EmulatedCluster.MeshName}/ --to /tmp/notes-restored.db [--at <RFC 3339 time>]",
        };
        hints.AddRange(members.All.Select(m => $"             {m.Name}: metrics {m.AdminUrl}metrics  status {m.AdminUrl}v1/status"));
        return hints;
    }

    /// <summary>Starts from a clean slate, deleting only what a previous run created (never the folder's other content).</summary>
    private void PrepareFolder()
    {
        Directory.CreateDirectory(options.Dir);
        foreach (var file in new[] { "kubeconfig", "token", "mesh.yaml", "operator.log" })
        {
            File.Delete(Path.Combine(options.Dir, file));
        }

        foreach (var folder in Directory.GetDirectories(options.Dir, "notes-*").Append(BackupDir).Where(Directory.Exists))
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
