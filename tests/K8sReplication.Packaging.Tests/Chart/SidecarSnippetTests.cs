using System.Text.Json.Nodes;
using K8sReplication.Packaging.Tests.Tools;
using K8sReplication.TestKit;

namespace K8sReplication.Packaging.Tests.Chart;

/// <summary>The snippet NOTES.txt prints is valid YAML and wires the sidecar like the tested example does.</summary>
public sealed class SidecarSnippetTests
{
    [Fact]
    public async Task NotesSnippet_MatchesTheExamplesNativeSidecar()
    {
        var result = (await ExternalTool.Helm.RunAsync(["install", ChartFiles.Release, ChartFiles.ChartDir,
            "--namespace", ChartFiles.Namespace, "--dry-run=client"])).EnsureSuccess().Stdout;
        var lines = result.Split('\n');
        var start = Array.FindIndex(lines, l => l.Trim() == "initContainers:");
        Assert.True(start > 0, "NOTES has no initContainers: snippet");
        var indent = lines[start].Length - lines[start].TrimStart().Length;
        var snippet = string.Join('\n', lines.Skip(start).TakeWhile(l => l.Trim().Length > 0).Select(l => l[indent..]));
        var parsed = Yaml.LoadObjects(snippet).Single();
        var fromNotes = parsed["initContainers"].Items().Single();

        var example = Yaml.LoadFile(Path.Combine(RepoPaths.Root, "examples", "sqlite-app", "statefulset.yaml")).Single();
        var fromExample = ((JsonObject)example["spec"]!["template"]!["spec"]!).Container("k8srepl-sidecar");

        Assert.Equal((string?)fromExample["restartPolicy"], (string?)fromNotes["restartPolicy"]);
        Assert.Null(fromNotes["command"]); // the image's entrypoint is the native sidecar executable
        Assert.Equal(Ports(fromExample), Ports(fromNotes));
        foreach (var probe in new[] { "startupProbe", "readinessProbe", "livenessProbe" })
        {
            Assert.Equal((string?)fromExample[probe]!["httpGet"]!["path"], (string?)fromNotes[probe]!["httpGet"]!["path"]);
            Assert.Equal((string?)fromExample[probe]!["httpGet"]!["port"], (string?)fromNotes[probe]!["httpGet"]!["port"]);
        }

        var notesArgs = fromNotes["args"].Strings().ToList();
        var exampleArgs = fromExample["args"].Strings().ToList();
        foreach (var flag in new[] { "--config", "--token-file", "--listen", "--admin-listen", "--state-dir", "--database" })
        {
            Assert.Equal(exampleArgs[exampleArgs.IndexOf(flag) + 1], notesArgs[notesArgs.IndexOf(flag) + 1]);
        }

        var volumes = parsed["volumes"].Items().ToDictionary(v => (string)v["name"]!);
        Assert.Equal(true, (bool?)volumes["k8srepl-config"]["configMap"]!["optional"]);
        Assert.Equal("token", (string?)volumes["k8srepl-token"]["secret"]!["items"]![0]!["key"]);
        var exampleVolumes = ((JsonObject)example["spec"]!["template"]!["spec"]!)["volumes"].Items().ToDictionary(v => (string)v["name"]!);
        Assert.Equal(Convert.ToInt64("400", 8), (long?)volumes["k8srepl-token"]["secret"]!["defaultMode"]);
        Assert.Equal((long?)exampleVolumes["k8srepl-token"]["secret"]!["defaultMode"], (long?)volumes["k8srepl-token"]["secret"]!["defaultMode"]);
        Assert.Equal(true, (bool?)fromNotes["securityContext"]!["readOnlyRootFilesystem"]);
        Assert.NotNull(fromNotes["resources"]!["limits"]!["memory"]);
    }

    private static string Ports(JsonObject container) =>
        string.Join(',', container["ports"].Items().Select(p => $"{p["name"]}={p["containerPort"]}").Order(StringComparer.Ordinal));
}
