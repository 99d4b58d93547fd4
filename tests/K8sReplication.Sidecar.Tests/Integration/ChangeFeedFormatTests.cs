using System.Net;
using K8sReplication.Contracts;
using K8sReplication.Sidecar.Pull;
using K8sReplication.Sidecar.Resilience;
using K8sReplication.Sidecar.Wire;

namespace K8sReplication.Sidecar.Tests.Integration;

/// <summary>
/// The feed in both formats: binary when asked for, JSON otherwise; an unknown format or version is refused naming
/// what this member speaks; and members of different versions (one answering JSON only) replicate with each other.
/// </summary>
public sealed class ChangeFeedFormatTests
{
    [Fact]
    public async Task BinaryAndJson_CarryTheSamePage()
    {
        await using var mesh = await TestMesh.StartAsync(1);
        var node = mesh[0];
        node.Exec(string.Join(";", Enumerable.Range(0, 20).Select(i => $"INSERT INTO items VALUES ('f{i:D2}', x'00ff', {i})")));
        await TestKit.Eventually.ValueAsync(async () => (await node.StatusAsync()).Rows, rows => rows == 20, TimeSpan.FromSeconds(10), "the rows are folded");

        using var response = await node.ReplicationAsync(HttpMethod.Get, $"{Paths.Changes}?after=0&limit=100&format={FeedFormat.QueryValue}&version={FeedFormat.Version}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(FeedFormat.ContentType, response.Content.Headers.ContentType?.MediaType);
        var frame = await FeedFrameReader.ReadAsync(await response.Content.ReadAsStreamAsync(), 1 << 20, CancellationToken.None);
        Assert.Equal(20, frame.Changes.Count);
        Assert.Equal(node.Process.Site, frame.Site.ToString());
        Assert.Equal(["f00", "f01"], frame.Changes.Take(2).Select(c => (string)c.Values![0]!));
        Assert.Equal(new byte[] { 0, 0xff }, (byte[])frame.Changes[0].Values![1]!);

        using var json = await node.ReplicationAsync(HttpMethod.Get, $"{Paths.Changes}?after=0&limit=100");
        Assert.Equal("application/json", json.Content.Headers.ContentType?.MediaType);
        using var explicitJson = await node.ReplicationAsync(HttpMethod.Get, $"{Paths.Changes}?after=0&limit=100&format=json");
        Assert.Equal("application/json", explicitJson.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"f19\"", await explicitJson.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("format=frames&version=3", "version", "version 3 is not supported; this member speaks versions 1 to 2")]
    [InlineData("format=frames&version=0", "version", "version 0")]
    [InlineData("format=protobuf", "format", "protobuf\\u0027 is not a feed format")]
    public async Task UnknownFormatOrVersion_IsRefused_NamingWhatThisMemberSpeaks(string query, string field, string message)
    {
        await using var mesh = await TestMesh.StartAsync(1);
        using var response = await mesh[0].ReplicationAsync(HttpMethod.Get, $"{Paths.Changes}?after=0&{query}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"\"field\":\"{field}\"", body, StringComparison.Ordinal);
        Assert.Contains(message, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MemberAnsweringJsonOnly_AndOneAnsweringBinary_ReplicateBothWays()
    {
        // Node 1 plays a member of an earlier version: its feed answers JSON whatever is asked for.
        await using var mesh = await TestMesh.StartAsync(1);
        await using var old = await TestMesh.StartAsync(1, env: new Dictionary<string, string> { [FaultPoints.Variable] = FaultPoints.FeedJsonOnly });
        var (current, earlier) = (mesh[0], old[0]);
        await current.SetPeersAsync(1, (earlier.Name + "-old", earlier.ReplicationUrl));
        await earlier.SetPeersAsync(1, (current.Name + "-new", current.ReplicationUrl));

        earlier.Exec("INSERT INTO items VALUES ('from-old', 'a', 1)");
        current.Exec("INSERT INTO items VALUES ('from-new', 'b', 2)");
        await TestKit.Eventually.TrueAsync(() => HostileScenario.Has(current, "from-old") && HostileScenario.Has(earlier, "from-new"),
            TimeSpan.FromSeconds(20), "rows cross between a JSON-only member and a binary one");

        using var probe = await earlier.ReplicationAsync(HttpMethod.Get, $"{Paths.Changes}?after=0&format={FeedFormat.QueryValue}&version={FeedFormat.Version}");
        Assert.Equal("application/json", probe.Content.Headers.ContentType?.MediaType);
        Assert.All((await current.StatusAsync()).Peers, p => Assert.Equal(0, p.BatchesRejected));
    }

    [Fact]
    public async Task MemberSpeakingOnlyTheFirstBinaryVersion_IsAskedForIt_AndReplicatesBothWays()
    {
        // Node 1 plays a member of the version before bases travelled: it refuses feed version 2 with a 400.
        await using var mesh = await TestMesh.StartAsync(1);
        await using var old = await TestMesh.StartAsync(1, env: new Dictionary<string, string> { [FaultPoints.Variable] = FaultPoints.FeedVersion1Only });
        var (current, earlier) = (mesh[0], old[0]);
        await current.SetPeersAsync(1, (earlier.Name + "-old", earlier.ReplicationUrl));
        await earlier.SetPeersAsync(1, (current.Name + "-new", current.ReplicationUrl));

        earlier.Exec("INSERT INTO items VALUES ('from-v1', 'a', 1)");
        current.Exec("INSERT INTO items VALUES ('from-v2', 'b', 2)");
        await TestKit.Eventually.TrueAsync(() => HostileScenario.Has(current, "from-v1") && HostileScenario.Has(earlier, "from-v2"),
            TimeSpan.FromSeconds(20), "rows cross between a member speaking feed version 1 and one speaking 2");

        using var v1 = await current.ReplicationAsync(HttpMethod.Get, $"{Paths.Changes}?after=0&format={FeedFormat.QueryValue}&version=1");
        Assert.Equal("application/vnd.k8srepl.feed; version=1", v1.Content.Headers.ContentType?.ToString());
        Assert.All((await current.StatusAsync()).Peers, p => Assert.Equal(0, p.BatchesRejected));
    }
}
