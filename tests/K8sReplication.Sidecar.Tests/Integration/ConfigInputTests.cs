using System.Net;
using System.Text;
using System.Text.Json;
using K8sReplication.Contracts.Config;
using K8sReplication.TestKit.Processes;
using K8sReplication.TestKit.Sqlite;

namespace K8sReplication.Sidecar.Tests.Integration;

/// <summary>
/// Config input is untrusted: hostile pushes to <c>PUT /v1/config</c> and hostile config files get a bounded,
/// escaped error naming the key at fault, change nothing, and never take the process down.
/// </summary>
public sealed class ConfigInputTests
{
    private static string AliasBomb()
    {
        var bomb = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (var c = 'b'; c <= 'i'; c++)
        {
            bomb.Append(c).Append(": &").Append(c).Append(" [").Append(string.Join(",", Enumerable.Repeat("*" + (char)(c - 1), 9))).Append("]\n");
        }

        return bomb.ToString();
    }

    [Fact]
    public async Task HostilePushes_Get400NamingTheKey_WithABoundedCleanError_AndChangeNothing()
    {
        await using var mesh = await TestMesh.StartAsync(1);
        var node = mesh[0];
        await node.SetPeersAsync(3);
        var hugeName = new string('n', 500_000);

        var cases = new (string Body, string Mentions)[]
        {
            (new string('[', 50_000), "nested deeper than 32"),
            ("{" + string.Concat(Enumerable.Repeat("\"a\":{", 50_000)), "depth of 32"),
            (AliasBomb(), "anchors are not allowed"),
            ("peers: *p\n", "aliases are not allowed"),
            ("{\"generation\": 9223372036854775807}", "generation"),
            ("{\"generation\": 9007199254740992}", "generation"),
            ("{\"generation\": -1}", "generation"),
            ("{\"generation\": 4, \"database\": \"/elsewhere.db\"}", "database"),
            ("{\"generation\": 4, \"listen\": \"127.0.0.1:1\"}", "listen"),
            ("{\"generation\": 4, \"adminListen\": \"127.0.0.1:2\"}", "adminListen"),
            ("{\"generation\": 4, \"tokenFile\": \"/etc/shadow\"}", "tokenFile"),
            ("{\"generation\": 4, \"stateDir\": \"/tmp\"}", "stateDir"),
            ("{\"generation\": 4, \"peers\": [{\"name\": \"m\", \"url\": \"http://169.254.169.254/latest/meta-data/\"}]}", "peers[0].url"),
            ("{\"generation\": 4, \"peers\": [{\"name\": \"m\", \"url\": \"http://[fe80::1]:8900\"}]}", "peers[0].url"),
            ("{\"generation\": 4, \"peers\": [{\"name\": \"m\", \"url\": \"http://0.0.0.0:8900\"}]}", "peers[0].url"),
            ("{\"generation\": 4, \"peers\": [{\"name\": \"m\", \"url\": \"http://admin:hunter2@127.0.0.1:8900\"}]}", "peers[0].url"),
            ("{\"generation\": 4, \"nodeName\": \"" + hugeName + "\"}", "nodeName"),
            ("{\"generation\": 4, \"nodeName\": \"evil\\u001b[2Jname\"}", "nodeName"),
            ("{\"generation\": 4, \"peers\": [{\"name\": \"Bad Name\", \"url\": \"http://127.0.0.1:1\"}]}", "peers[0].name"),
            ("{\"generation\": 4, \"mesh\": \"" + hugeName + "\"}", "mesh"),
            ("{\"" + hugeName + "\": 1}", "could not be mapped"),
        };

        foreach (var (body, mentions) in cases)
        {
            using var response = await node.SendAsync(HttpMethod.Put, node.Process.AdminUrl, "/v1/config", body, mesh.Token);
            var text = await response.Content.ReadAsStringAsync();
            var label = body[..Math.Min(60, body.Length)];
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{label}: expected 400, got {(int)response.StatusCode} {text[..Math.Min(400, text.Length)]}");
            Assert.True(text.Length < 1500, $"{label}: the error body is {text.Length} bytes long");
            using var doc = JsonDocument.Parse(text);
            var error = doc.RootElement.GetProperty("error").GetString()!;
            Assert.Contains(mentions, error + doc.RootElement.GetProperty("field").GetString(), StringComparison.Ordinal);
            Assert.DoesNotContain(error, char.IsControl);
            Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        }

        var status = await node.StatusAsync();
        Assert.Equal(3, status.ConfigGeneration);
        Assert.Equal("n0", status.NodeName);
        Assert.Empty(status.Peers);
        Assert.False(node.Process.HasExited);
    }

    [Fact]
    public async Task PushWithoutGeneration_KeepsTheGenerationInForce_AndAnOlderPushStillGets409()
    {
        await using var mesh = await TestMesh.StartAsync(1);
        var node = mesh[0];
        await node.SetPeersAsync(5);

        using (var noGeneration = await node.PushConfigAsync(new SidecarConfig { Paused = true }))
        {
            Assert.Equal(HttpStatusCode.OK, noGeneration.StatusCode);
        }

        Assert.Equal(5, (await node.StatusAsync()).ConfigGeneration);
        using (var older = await node.PushConfigAsync(new SidecarConfig { Generation = 4 }))
        {
            Assert.Equal(HttpStatusCode.Conflict, older.StatusCode);
        }

        // The fields a push cannot change may be repeated with the value in force (an older operator sends them).
        var args = node.Process.Arguments;
        var database = args[args.ToList().IndexOf("--database") + 1];
        using (var repeated = await node.PushConfigAsync(new SidecarConfig { Generation = 6, Database = database, Listen = "127.0.0.1:0" }))
        {
            Assert.Equal(HttpStatusCode.OK, repeated.StatusCode);
        }

        Assert.Equal(6, (await node.StatusAsync()).ConfigGeneration);
    }

    [Theory]
    [InlineData("alias-bomb", "anchors are not allowed")]
    [InlineData("deep", "nested deeper than 32")]
    [InlineData("big", "larger than 1048576 bytes")]
    public async Task HostileConfigFile_ExitsWithCode2_NamingTheProblem(string kind, string mention)
    {
        using var folder = new TempDatabase();
        var file = Path.Combine(folder.Folder, "config.yaml");
        await File.WriteAllTextAsync(file, kind switch
        {
            "alias-bomb" => AliasBomb(),
            "deep" => new string('[', 50_000),
            _ => "mesh: demo\n" + new string('#', 2 << 20) + "\n",
        });

        var exit = await SidecarProcess.RunToExitAsync(["--database", folder.FilePath, "--config", file]);
        Assert.Equal(2, exit.ExitCode);
        Assert.Contains("--config", exit.Stderr, StringComparison.Ordinal);
        Assert.Contains(mention, exit.Stderr, StringComparison.Ordinal);
    }
}
