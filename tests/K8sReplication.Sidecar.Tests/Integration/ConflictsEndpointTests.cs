using System.Net;
using System.Text.Json;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Conflicts;
using K8sReplication.Contracts.Json;
using K8sReplication.TestKit;

namespace K8sReplication.Sidecar.Tests.Integration;

/// <summary>
/// Two real sidecars write the same key before they are connected: the member whose write loses keeps it in its
/// conflict log, counts it, shows it in status and serves it at <c>GET /v1/conflicts</c> to a caller with the token.
/// </summary>
public sealed class ConflictsEndpointTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ConcurrentWrites_TheLosingMemberServesItsDiscardedWrite_FilteredAndAuthenticated()
    {
        await using var mesh = await TestMesh.StartAsync(2);
        mesh[0].Exec("INSERT INTO items VALUES ('shared', X'00ff', 1.5)");
        mesh[1].Exec("INSERT INTO items VALUES ('shared', 'from n1', 2)");
        await mesh.ConnectFullMeshAsync();
        await mesh.WaitConvergedAsync(Timeout, "both members keep the same winner");

        // Exactly one of the two writes lost, and only its member discarded a local write.
        var statuses = await Eventually.ValueAsync(() => Task.WhenAll(mesh.Nodes.Select(n => n.StatusAsync())),
            s => s.Sum(h => h.Conflicts) == 1, Timeout, "one member reports one conflict in status");
        var loserIndex = statuses[0].Conflicts == 1 ? 0 : 1;
        var loser = mesh[loserIndex];
        var winner = mesh[1 - loserIndex];

        using (var anonymous = await loser.GetAdminAsync(Paths.Conflicts))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Contains("Authorization", await anonymous.Content.ReadAsStringAsync());
        }

        using (var wrong = await loser.SendAsync(HttpMethod.Get, loser.Process.AdminUrl, Paths.Conflicts, bearer: "not-the-token"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        var (text, answer) = await GetAsync(loser, Paths.Conflicts);
        var entry = Assert.Single(answer.Conflicts);
        Assert.Equal("items", entry.Table);
        Assert.Equal(["shared"], entry.Key);
        Assert.Equal("lww", entry.Reason);
        Assert.Equal(loser.Process.Site, entry.Loser.Site);
        Assert.Equal(winner.Process.Site, entry.Winner.Site);
        // Versions order by (hlc, site); two members writing in the same millisecond may tie on the hlc.
        Assert.True(entry.Winner.Hlc > entry.Loser.Hlc || (entry.Winner.Hlc == entry.Loser.Hlc && string.CompareOrdinal(entry.Winner.Site, entry.Loser.Site) > 0),
            $"winner ({entry.Winner.Hlc}, {entry.Winner.Site}) is not above loser ({entry.Loser.Hlc}, {entry.Loser.Site})");
        Assert.Equal(TimeSpan.Zero, entry.At.Offset);
        Assert.InRange(entry.At, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        if (loserIndex == 0)
        {
            Assert.Equal(["shared", new byte[] { 0x00, 0xff }, 1.5], entry.Loser.Values!);
            Assert.Contains("\"values\":[\"shared\",{\"b\":\"AP8=\"},{\"f\":\"1.5\"}]", text, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(["shared", "from n1", 2L], entry.Loser.Values!);
        }

        Assert.Single((await GetAsync(loser, Paths.Conflicts + "?table=items&since=2000-01-01T00:00:00Z&limit=1")).Answer.Conflicts);
        Assert.Empty((await GetAsync(loser, Paths.Conflicts + "?table=other")).Answer.Conflicts);
        var later = entry.At.AddSeconds(1).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Empty((await GetAsync(loser, Paths.Conflicts + "?since=" + later)).Answer.Conflicts);
        Assert.Empty((await GetAsync(winner, Paths.Conflicts)).Answer.Conflicts);

        foreach (var (query, field) in new[]
        {
            ("?limit=0", "limit"), ("?limit=10001", "limit"), ("?limit=many", "limit"),
            ("?since=yesterday", "since"), ("?since=2026-01-31T12:00:00", "since"), ("?table=", "table"),
        })
        {
            using var bad = await loser.SendAsync(HttpMethod.Get, loser.Process.AdminUrl, Paths.Conflicts + query, bearer: mesh.Token);
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            using var error = JsonDocument.Parse(await bad.Content.ReadAsStringAsync());
            Assert.Equal(field, error.RootElement.GetProperty("field").GetString());
        }

        // The counter is added just after the batch commits, so it may trail the log by a moment.
        using var http = new HttpClient();
        var metrics = await Eventually.ValueAsync(() => http.GetStringAsync(new Uri(loser.Process.AdminUrl, Paths.Metrics)),
            t => t.Contains("replication_conflicts_total{", StringComparison.Ordinal), Timeout, "the conflict is counted");
        var line = Assert.Single(metrics.Split('\n'), l => l.StartsWith("replication_conflicts_total{", StringComparison.Ordinal));
        Assert.Contains("table=\"items\"", line, StringComparison.Ordinal);
        Assert.Contains("reason=\"lww\"", line, StringComparison.Ordinal);
        Assert.EndsWith(" 1", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutAToken_TheEndpointIsOpen_LikeTheConfigPush()
    {
        await using var mesh = await TestMesh.StartAsync(1, token: null);

        using var response = await mesh[0].GetAdminAsync(Paths.Conflicts);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"conflicts\":[]}", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, (await mesh[0].StatusAsync()).Conflicts);
    }

    private static async Task<(string Text, ConflictsResponse Answer)> GetAsync(TestNode node, string path)
    {
        using var response = await node.SendAsync(HttpMethod.Get, node.Process.AdminUrl, path, bearer: node.Token);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {text}");
        return (text, JsonSerializer.Deserialize(text, ContractsJsonContext.Default.ConflictsResponse)!);
    }
}
