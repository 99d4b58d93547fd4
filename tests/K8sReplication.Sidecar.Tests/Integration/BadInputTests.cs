using System.Net;
using System.Text.Json;
using K8sReplication.Sidecar.Storage;
using K8sReplication.TestKit;
using Microsoft.AspNetCore.Builder;

namespace K8sReplication.Sidecar.Tests.Integration;

/// <summary>
/// Hostile or malformed input on every endpoint: a JSON 4xx naming what is wrong, no data change, process up.
/// </summary>
public sealed class BadInputTests
{
    [Fact]
    public async Task EveryEndpoint_RefusesBadInput_WithJson4xx_AndChangesNothing()
    {
        await using var mesh = await TestMesh.StartAsync(1);
        var node = mesh[0];
        node.Exec("INSERT INTO items VALUES ('keep', 'me', 1)");
        var before = await Eventually.ValueAsync(node.StatusAsync, s => s.Rows == 1, TimeSpan.FromSeconds(10), "row folded");
        var bigKeys = "[" + string.Join(",", Enumerable.Repeat("\"AAAA\"", 300_000)) + "]";

        var cases = new (HttpMethod Method, string Path, string? Body, string? Bearer, HttpStatusCode Expected, string Mentions)[]
        {
            (HttpMethod.Get, "/v1/changes", null, null, HttpStatusCode.Unauthorized, "token"),
            (HttpMethod.Get, "/v1/changes", null, "wrong-token", HttpStatusCode.Unauthorized, "token"),
            (HttpMethod.Get, "/v1/changes?after=abc", null, mesh.Token, HttpStatusCode.BadRequest, "after"),
            (HttpMethod.Get, "/v1/changes?after=-1", null, mesh.Token, HttpStatusCode.BadRequest, "after"),
            (HttpMethod.Get, "/v1/changes?limit=0", null, mesh.Token, HttpStatusCode.BadRequest, "limit"),
            (HttpMethod.Get, "/v1/changes?wait=999999999", null, mesh.Token, HttpStatusCode.BadRequest, "wait"),
            (HttpMethod.Get, "/v1/changes?origin=xyz", null, mesh.Token, HttpStatusCode.BadRequest, "origin"),
            (HttpMethod.Get, "/v1/merkle", null, null, HttpStatusCode.Unauthorized, "token"),
            (HttpMethod.Get, "/v1/merkle/nodes?path=zz", null, mesh.Token, HttpStatusCode.BadRequest, "path"),
            (HttpMethod.Get, "/v1/merkle/nodes?path=0123456789", null, mesh.Token, HttpStatusCode.BadRequest, "path"),
            (HttpMethod.Get, "/v1/merkle/leaves/abc", null, mesh.Token, HttpStatusCode.BadRequest, "leaf"),
            (HttpMethod.Get, "/v1/merkle/leaves/99999999", null, mesh.Token, HttpStatusCode.BadRequest, "leaf"),
            (HttpMethod.Post, "/v1/rows", "{not json", mesh.Token, HttpStatusCode.BadRequest, "malformed"),
            (HttpMethod.Post, "/v1/rows", "{\"table\": 5, \"keys\": []}", mesh.Token, HttpStatusCode.BadRequest, "table"),
            (HttpMethod.Post, "/v1/rows", "{\"table\": \"items\", \"keys\": \"nope\"}", mesh.Token, HttpStatusCode.BadRequest, "keys"),
            (HttpMethod.Post, "/v1/rows", "{\"table\": \"nosuch\", \"keys\": []}", mesh.Token, HttpStatusCode.BadRequest, "nosuch"),
            (HttpMethod.Post, "/v1/rows", "{\"table\": \"__repl_versions\", \"keys\": []}", mesh.Token, HttpStatusCode.BadRequest, "replicated table"),
            (HttpMethod.Post, "/v1/rows", "{\"table\": \"items\", \"keys\": [\"AAAA\"], \"extra\": 1}", mesh.Token, HttpStatusCode.BadRequest, "extra"),
            (HttpMethod.Post, "/v1/rows", "{\"table\": \"items\", \"keys\": " + bigKeys + "}", mesh.Token, HttpStatusCode.RequestEntityTooLarge, "larger"),
            (HttpMethod.Post, "/v1/rows", null, mesh.Token, HttpStatusCode.BadRequest, "body"),
            (HttpMethod.Get, "/v1/schema", null, "Bearer-less", HttpStatusCode.Unauthorized, "token"),
        };

        foreach (var c in cases)
        {
            using var response = await node.SendAsync(c.Method, node.ReplicationUrl, c.Path, c.Body, c.Bearer);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(c.Expected == response.StatusCode, $"{c.Method} {c.Path[..Math.Min(60, c.Path.Length)]}: expected {c.Expected}, got {(int)response.StatusCode} {text[..Math.Min(300, text.Length)]}");
            using var doc = JsonDocument.Parse(text);
            Assert.Contains(c.Mentions, doc.RootElement.GetProperty("error").GetString() + doc.RootElement.GetRawText(), StringComparison.OrdinalIgnoreCase);
        }

        var configCases = new (string Body, string? Bearer, HttpStatusCode Expected, string Mentions)[]
        {
            ("{\"peers\": []}", null, HttpStatusCode.Unauthorized, "token"),
            ("{\"peers\": []}", "wrong", HttpStatusCode.Unauthorized, "token"),
            ("{\"peers\": [", mesh.Token, HttpStatusCode.BadRequest, "malformed"),
            ("{\"generation\": \"abc\"}", mesh.Token, HttpStatusCode.BadRequest, "generation"),
            ("{\"antiEntropy\": {\"interval\": \"fast\"}}", mesh.Token, HttpStatusCode.BadRequest, "antiEntropy.interval"),
            ("{\"peerz\": []}", mesh.Token, HttpStatusCode.BadRequest, "peerz"),
            ("{\"hotPath\": {\"batchSize\": 0}}", mesh.Token, HttpStatusCode.BadRequest, "hotPath.batchSize"),
        };
        foreach (var c in configCases)
        {
            using var response = await node.SendAsync(HttpMethod.Put, node.Process.AdminUrl, "/v1/config", c.Body, c.Bearer);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(c.Expected == response.StatusCode, $"PUT /v1/config {c.Body}: expected {c.Expected}, got {(int)response.StatusCode} {text}");
            Assert.Contains(c.Mentions, text, StringComparison.OrdinalIgnoreCase);
        }

        using (var wrongPort = await node.SendAsync(HttpMethod.Get, node.Process.AdminUrl, "/v1/changes", null, mesh.Token))
        {
            Assert.Equal(HttpStatusCode.NotFound, wrongPort.StatusCode);
        }

        using (var live = await node.GetAdminAsync("/livez"))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        var after = await node.StatusAsync();
        Assert.Equal(before.MerkleRoot, after.MerkleRoot);
        Assert.Equal(0, after.ConfigGeneration);
        Assert.Equal("keep|me", string.Join("|", node.Dump().Split('|').Take(2).Select(s => s[(s.IndexOf(':') + 1)..])));
        Assert.False(node.Process.HasExited);
    }

    [Fact]
    public async Task PeerSendingAVersionFromTheFuture_IsRejected_AndReported()
    {
        await using var mesh = await TestMesh.StartAsync(1, token: null);
        var node = mesh[0];
        var hash = (await node.StatusAsync()).SchemaHashes["items"];
        var site = SiteId.NewRandom().ToString();
        var key = Convert.ToBase64String(KeyCodec.Encode(["evil"]));
        var okKey = Convert.ToBase64String(KeyCodec.Encode(["fine"]));
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var future = (now + 3_600_000) << 16;
        var present = now << 16;
        await using var peer = await FakePeer.StartAsync(app =>
        {
            app.MapGet("/v1/schema", ctx => FakePeer.Json(ctx, $"{{\"site\":\"{site}\",\"tables\":{{\"items\":\"{hash}\"}}}}"));
            app.MapGet("/v1/changes", ctx => ctx.Request.Query["after"] == "0"
                ? FakePeer.Json(ctx, $"{{\"site\":\"{site}\",\"hlc\":{future},\"now\":{now},\"lastSeq\":2,\"maxSeq\":2,\"changes\":[" +
                    $"{{\"t\":\"items\",\"k\":\"{key}\",\"h\":{future},\"s\":\"{site}\",\"v\":[\"evil\",\"wins forever\",1],\"q\":1}}," +
                    $"{{\"t\":\"items\",\"k\":\"{okKey}\",\"h\":{present},\"s\":\"{site}\",\"v\":[\"fine\",\"ok\",2],\"q\":2}}]}}")
                : FakePeer.Json(ctx, $"{{\"site\":\"{site}\",\"hlc\":{present},\"now\":{now},\"lastSeq\":2,\"maxSeq\":2,\"changes\":[]}}"));
        });

        await node.SetPeersAsync(1, ("evil", peer.Url));
        var status = await Eventually.ValueAsync(node.StatusAsync, s => s.RejectedFutureVersions > 0, TimeSpan.FromSeconds(20), "future version rejected");
        Assert.Contains(status.Errors, e => e.Contains("ahead", StringComparison.Ordinal));
        await Eventually.TrueAsync(() => node.Count() == 1, TimeSpan.FromSeconds(10), "the valid change of the same batch applied");
        Assert.DoesNotContain("evil", node.Dump());
        Assert.False(node.Process.HasExited);
    }
}
