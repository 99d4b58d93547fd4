using System.Text.Json.Nodes;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Config;

namespace K8sReplication.Sidecar.Tests.Integration;

/// <summary>
/// Feed answers honour the byte budget a reader asks for (<c>maxBytes</c>), and a member whose byte limits are far
/// below a batch of its peer's rows still receives every row, in more, smaller batches.
/// </summary>
public sealed class FeedByteBudgetTests
{
    [Fact]
    public async Task ChangesAnswer_EndsAtTheRequestedBytes_AndTheNextPageContinues()
    {
        await using var mesh = await TestMesh.StartAsync(1);
        var node = mesh[0];
        var row = new string('r', 1000);
        node.Exec(string.Join(";", Enumerable.Range(0, 40).Select(i => $"INSERT INTO items VALUES ('b{i:D2}', '{row}', {i})")));
        var maxSeq = await TestKit.Eventually.ValueAsync(() => MaxSeqAsync(node), s => s >= 40, TimeSpan.FromSeconds(10), "the rows are folded");

        var seen = new List<string>();
        var after = 0L;
        var pages = 0;
        while (after < maxSeq)
        {
            var page = await GetAsync(node, $"{Paths.Changes}?after={after}&limit=1000&maxBytes=4096");
            var changes = page["changes"]!.AsArray();
            Assert.InRange(changes.Count, 1, 5); // 4096 bytes hold about four 1 KB rows, plus the one that crosses
            var last = (long)changes[^1]!["q"]!;
            Assert.Equal(last, (long)page["lastSeq"]!);
            seen.AddRange(changes.Select(c => (string)c!["v"]![0]!));
            after = last;
            pages++;
        }

        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"b{i:D2}"), seen.Order(StringComparer.Ordinal));
        Assert.True(pages >= 8, $"{pages} pages");

        // Without maxBytes (a member of an earlier version) the page is whole.
        var whole = await GetAsync(node, $"{Paths.Changes}?after=0&limit=1000");
        Assert.Equal(40, whole["changes"]!.AsArray().Count);
    }

    [Fact]
    public async Task Tailer_WithSmallByteLimits_ReceivesLargeRowsInSmallBatches()
    {
        await using var mesh = await TestMesh.StartAsync(2);
        var row = new string('x', 20_000);
        mesh[1].Exec(string.Join(";", Enumerable.Range(0, 60).Select(i => $"INSERT INTO items VALUES ('big{i}', '{row}', {i})")));
        using (var push = await mesh[0].PushConfigAsync(new SidecarConfig
        {
            Generation = 1,
            Peers = [new PeerConfig { Name = mesh[1].Name, Url = mesh[1].ReplicationUrl.ToString() }],
            HotPath = new HotPathConfig { MaxBatchBytes = 64 << 10, MaxRowBytes = 32 << 10, Wait = "1s" },
        }))
        {
            Assert.True(push.IsSuccessStatusCode, await push.Content.ReadAsStringAsync());
        }

        await TestKit.Eventually.TrueAsync(() => mesh[0].Count() == 60, TimeSpan.FromSeconds(30), "every large row arrives");
        var status = await mesh[0].StatusAsync();
        Assert.Equal(0, status.Peers.Single().BatchesRejected);
    }

    private static async Task<long> MaxSeqAsync(TestNode node) => (long)(await GetAsync(node, Paths.Changes + "?after=0&limit=1"))["maxSeq"]!;

    private static async Task<JsonNode> GetAsync(TestNode node, string path)
    {
        using var response = await node.ReplicationAsync(HttpMethod.Get, path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!;
    }
}
