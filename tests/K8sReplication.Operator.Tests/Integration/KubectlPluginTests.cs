using System.Text.Json;
using K8sReplication.TestKit;
using K8sReplication.TestKit.Sqlite;
using K8sReplication.TestKit.Tools;

namespace K8sReplication.Operator.Tests.Integration;

/// <summary>
/// The built kubectl plugin against the emulated cluster, the real operator and real sidecars, reaching the sidecars
/// through the emulator's pod proxy (which, like kube-apiserver, does not forward Authorization).
/// </summary>
public sealed class KubectlPluginTests
{
    private static readonly TimeSpan Deadline = OperatorScenario.Deadline;

    [Fact]
    public async Task Status_ShowsEveryMember_AsTableJsonAndYaml_AndThroughKubectl_ResyncReportsTheRound()
    {
        await using var scenario = await OperatorScenario.StartAsync();
        await Task.WhenAll(scenario.AddMemberAsync("demo-0"), scenario.AddMemberAsync("demo-1"));
        await scenario.StartOperatorAsync();
        await scenario.CreateMeshAsync("demo");
        await scenario.WaitForMeshAsync("demo", m => OperatorScenario.Settled(m, 2), "two members, Ready, Converged, ConfigApplied");
        scenario.Members["demo-0"].Insert("row-1");
        await Eventually.TrueAsync(() => scenario.Members["demo-1"].Has("row-1"), Deadline, "the row to reach demo-1");

        var table = await PluginProcess.RunAsync(scenario.Kubeconfig, "status", "demo");
        Assert.True(table.ExitCode == 0, table.Stderr);
        Assert.DoesNotContain("\e[", table.Stdout); // redirected: no colour
        var lines = table.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["POD", "READY", "LAG", "MERKLE", "ROOT", "ROWS", "CONFLICTS", "SCHEMA", "BACKUP"], lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(lines, l => l.StartsWith("demo-0 ", StringComparison.Ordinal) && l.Contains(" yes ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("demo-1 ", StringComparison.Ordinal) && l.Contains(" yes ", StringComparison.Ordinal));

        var json = await PluginProcess.RunAsync(scenario.Kubeconfig, "status", "demo", "-o", "json");
        Assert.True(json.ExitCode == 0, json.Stderr);
        using (var document = JsonDocument.Parse(json.Stdout))
        {
            var members = document.RootElement.GetProperty("members").EnumerateArray().ToList();
            Assert.Equal(["demo-0", "demo-1"], members.Select(m => m.GetProperty("pod").GetString()));
            Assert.All(members, m => Assert.True(m.GetProperty("ready").GetBoolean()));
            Assert.All(members, m => Assert.Equal(1, m.GetProperty("rows").GetInt64()));
            Assert.Single(members.Select(m => m.GetProperty("schema").GetString()).Distinct());
        }

        var yaml = await PluginProcess.RunAsync(scenario.Kubeconfig, "status", "demo", "-o", "yaml");
        Assert.True(yaml.ExitCode == 0, yaml.Stderr);
        Assert.Contains("pod: \"demo-1\"", yaml.Stdout);

        // kubectl finds the plugin by its executable name on PATH and hands it every argument after the plugin name.
        var path = AppContext.BaseDirectory + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        var viaKubectl = await ExternalTool.Kubectl.RunAsync(["k8srepl", "status", "demo", "--kubeconfig", scenario.Kubeconfig, "-n", "default"],
            env: new Dictionary<string, string> { ["PATH"] = path, ["KUBECONFIG"] = "" });
        Assert.True(viaKubectl.ExitCode == 0, viaKubectl.Stderr);
        Assert.Contains("demo-1", viaKubectl.Stdout);

        // resync: the member runs a round against its peer now and reports it.
        var resync = await PluginProcess.RunAsync(scenario.Kubeconfig, "resync", "demo", "demo-0", "-o", "json");
        Assert.True(resync.ExitCode == 0, resync.Stderr);
        using (var document = JsonDocument.Parse(resync.Stdout))
        {
            var round = Assert.Single(document.RootElement.EnumerateArray());
            Assert.Equal("demo-1", round.GetProperty("peer").GetString());
            Assert.Equal("equal", round.GetProperty("round").GetProperty("result").GetString());
        }

        var notMember = await PluginProcess.RunAsync(scenario.Kubeconfig, "resync", "demo", "demo-9");
        Assert.Equal(1, notMember.ExitCode);
        Assert.Contains("pod \"demo-9\" is not a member of mesh \"demo\"", notMember.Stderr);

        var missing = await PluginProcess.RunAsync(scenario.Kubeconfig, "status", "nope");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("replicationmesh \"nope\" not found in namespace \"default\"", missing.Stderr);
        Assert.Equal(2, (await PluginProcess.RunAsync(scenario.Kubeconfig, "status")).ExitCode);
    }

    [Fact]
    public async Task PausedMesh_DiffNamesTheTable_ResumeConverges_ConflictsListTheDiscardedWrite_PauseSetsSpec()
    {
        await using var scenario = await OperatorScenario.StartAsync();
        await Task.WhenAll(scenario.AddMemberAsync("demo-0"), scenario.AddMemberAsync("demo-1"));
        await scenario.StartOperatorAsync();

        // Paused from the start: the operator reports members but pushes no peers, so nothing replicates yet.
        await scenario.CreateMeshAsync("demo", OperatorScenario.Spec() with { Paused = true });
        await scenario.WaitForMeshAsync("demo", m => m.Status?.Members?.Count == 2 && m.Status.Members.All(x => x.Ready), "two ready members while paused");
        Write(scenario.Members["demo-0"].Database, "same-key", "written-on-0");
        Write(scenario.Members["demo-1"].Database, "same-key", "written-on-1");
        scenario.Members["demo-0"].Insert("only-on-0");

        var diff = await Eventually.ValueAsync(
            () => PluginProcess.RunAsync(scenario.Kubeconfig, "diff", "demo", "-o", "json"),
            d => d.ExitCode == 0 && d.Stdout.Contains("\"differing\"", StringComparison.Ordinal) && d.Stdout.Contains("\"items\"", StringComparison.Ordinal),
            Deadline,
            "diff to name table items");
        using (var document = JsonDocument.Parse(diff.Stdout))
        {
            var differing = Assert.Single(document.RootElement.GetProperty("differing").EnumerateArray());
            Assert.Equal(["items"], differing.GetProperty("tables").EnumerateArray().Select(t => t.GetString()));
            Assert.Equal(2, differing.GetProperty("rows").GetInt32());
        }

        var resume = await PluginProcess.RunAsync(scenario.Kubeconfig, "resume", "demo");
        Assert.True(resume.ExitCode == 0, resume.Stderr);
        Assert.Equal("replicationmesh/demo resumed\n", resume.Stdout);
        Assert.False((await scenario.GetMeshAsync("demo"))!.Spec!.Paused);
        await Eventually.TrueAsync(() => scenario.Members.Values.All(m => m.Has("only-on-0")), Deadline, "the members to replicate once resumed");

        // Of the two concurrent writes to same-key one is discarded everywhere and kept in its member's conflict log.
        var conflicts = await Eventually.ValueAsync(
            () => PluginProcess.RunAsync(scenario.Kubeconfig, "conflicts", "demo", "--table", "items", "-o", "json"),
            c => c.ExitCode == 0 && c.Stdout.Contains("same-key", StringComparison.Ordinal),
            Deadline,
            "the conflict to be logged");
        using (var document = JsonDocument.Parse(conflicts.Stdout))
        {
            var entry = Assert.Single(document.RootElement.EnumerateArray());
            Assert.Equal("items", entry.GetProperty("conflict").GetProperty("table").GetString());
            Assert.Contains(entry.GetProperty("pod").GetString(), new[] { "demo-0", "demo-1" });
        }

        var agree = await Eventually.ValueAsync(
            () => PluginProcess.RunAsync(scenario.Kubeconfig, "diff", "demo"),
            d => d.ExitCode == 0 && d.Stdout.StartsWith("all 2 members agree", StringComparison.Ordinal),
            Deadline,
            "diff to report the converged members agree");
        Assert.Contains("Merkle root", agree.Stdout);

        var pause = await PluginProcess.RunAsync(scenario.Kubeconfig, "pause", "demo");
        Assert.True(pause.ExitCode == 0, pause.Stderr);
        Assert.True((await scenario.GetMeshAsync("demo"))!.Spec!.Paused);
        await scenario.WaitForMeshAsync("demo", m => m.Status?.Phase == "Paused", "the operator to report the pause");
    }

    private static void Write(TempDatabase database, string id, string value)
    {
        using var connection = database.OpenConnection();
        connection.Execute("INSERT INTO items(id, v) VALUES ($id, $v)", ("$id", id), ("$v", value));
    }
}
