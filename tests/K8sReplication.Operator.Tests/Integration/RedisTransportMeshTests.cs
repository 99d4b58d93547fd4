using System.Text.Json;
using K8sReplication.Contracts.Health;
using K8sReplication.Contracts.Mesh;
using K8sReplication.Operator.Mesh;
using K8sReplication.TestKit;
using K8sReplication.TestKit.Tools;

namespace K8sReplication.Operator.Tests.Integration;

/// <summary>
/// A mesh on the Redis transport, end to end: the real operator pushes the transport to real sidecars that tail each
/// other through a real redis-server; a Redis outage marks the mesh Degraded naming Redis and heals by itself; a stream
/// trimmed past a member's cursor becomes an Event; a change of the Redis link in the spec is reported as waiting for a
/// restart.
/// </summary>
public sealed class RedisTransportMeshTests
{
    private static readonly TimeSpan Deadline = OperatorScenario.Deadline;

    [Fact]
    public async Task MeshOnRedis_Replicates_ARedisOutageDegradesNamingRedis_AndASpecChangeAsksForARestart()
    {
        await using var redis = new RedisServer { AppendOnly = true };
        await redis.StartAsync();
        await using var scenario = await OperatorScenario.StartAsync();
        // As the operator's ConfigMap entry would start them: on the mesh's transport, under its name and key prefix.
        var prefix = DesiredConfig.DefaultRedisKeyPrefix(OperatorScenario.Namespace);
        var members = new List<MemberNode>();
        foreach (var pod in new[] { "demo-0", "demo-1" })
        {
            var file = Path.Combine(Path.GetTempPath(), $"k8srepl-{pod}-{Guid.NewGuid():N}.json");
            await File.WriteAllTextAsync(file, """{"mesh": "demo"}""");
            members.Add(await scenario.AddMemberAsync(pod, "--config", file, "--transport", "redis", "--redis-url", redis.Url, "--redis-key-prefix", prefix));
        }

        await scenario.StartOperatorAsync();
        var spec = OperatorScenario.Spec() with
        {
            Tls = new TlsSpec { Mode = TlsMode.Disabled },
            HotPath = new HotPathSpec { Transport = HotPathTransport.Redis, Redis = new RedisTransportSpec { Url = redis.Url } },
        };
        await scenario.CreateMeshAsync("demo", spec);
        await scenario.WaitForMeshAsync("demo", m => OperatorScenario.Settled(m, 2), "the mesh on Redis to settle");

        members[0].Insert("through-redis");
        await Eventually.TrueAsync(() => members[1].Has("through-redis"), Deadline, "the row to reach demo-1");
        var published = await Eventually.ValueAsync(() => HealthAsync(members[0]), h => h.Redis?.PublishedSeq > 0, Deadline, "demo-0 to publish to its stream");
        Assert.True(published.Redis!.Connected);
        Assert.Null(published.PendingRestart);

        // Redis goes away: the mesh is Degraded and the condition names Redis, not a member.
        await redis.KillAsync();
        var down = await scenario.WaitForMeshAsync("demo",
            m => OperatorScenario.Condition(m, ConditionTypes.Degraded) is { Status: ConditionStatus.True, Reason: ConditionReasons.RedisUnavailable },
            "Degraded naming Redis");
        Assert.Contains($"127.0.0.1:{redis.Port}", OperatorScenario.Condition(down, ConditionTypes.Degraded)!.Message, StringComparison.Ordinal);
        members[1].Insert("while-redis-was-down");

        // It comes back (AOF kept the streams): replication resumes by itself and the mesh heals.
        await redis.StartAsync();
        await Eventually.TrueAsync(() => members[0].Has("while-redis-was-down"), Deadline, "the row written during the outage to reach demo-0");
        await scenario.WaitForMeshAsync("demo",
            m => OperatorScenario.Has(m, ConditionTypes.Degraded, ConditionStatus.False) && OperatorScenario.Settled(m, 2), "the mesh to heal");

        // demo-1 is away while demo-0's stream is trimmed past its cursor: back, it reports the trim, and the
        // operator records it on the mesh.
        members[1].Kill();
        for (var i = 0; i < 20; i++)
        {
            members[0].Insert($"while-away-{i}");
        }

        using var client = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port}");
        var stream = $"{prefix}demo:{members[0].Process.Site}";
        var db = client.GetDatabase();
        await Eventually.ValueAsync(() => db.StreamLengthAsync(stream), n => n >= 21, Deadline, "demo-0's rows published");
        await db.StreamTrimAsync(stream, 2);
        await members[1].RestartOnSamePortsAsync();
        await Eventually.TrueAsync(() => members[1].Has("while-away-0"), Deadline, "the trimmed rows repaired by anti-entropy");
        var trimmed = await Eventually.ValueAsync(scenario.ListEventsAsync,
            events => events.Any(e => e.Reason == "StreamTrimmed" && e.Regarding?.Name == "demo"), Deadline, "a StreamTrimmed Event on the mesh");
        var note = trimmed.First(e => e.Reason == "StreamTrimmed").Note;
        Assert.Contains("pod demo-1", note, StringComparison.Ordinal);
        Assert.Contains("peer demo-0", note, StringComparison.Ordinal);
        Assert.Equal("Warning", trimmed.First(e => e.Reason == "StreamTrimmed").Type);

        // The spec moves the streams under another prefix: the members take the generation and say they need a restart.
        var mesh = (await scenario.GetMeshAsync("demo"))!;
        mesh.Spec = mesh.Spec! with { HotPath = mesh.Spec.HotPath! with { Redis = mesh.Spec.HotPath.Redis! with { KeyPrefix = "edge:" } } };
        await scenario.ReplaceMeshAsync(mesh);
        var pending = await scenario.WaitForMeshAsync("demo",
            m => OperatorScenario.Condition(m, ConditionTypes.ConfigApplied) is { Status: ConditionStatus.False, Reason: ConditionReasons.RestartRequired },
            "ConfigApplied to ask for a restart");
        var message = OperatorScenario.Condition(pending, ConditionTypes.ConfigApplied)!.Message;
        Assert.Contains("demo-0 (hotPath.redis.keyPrefix)", message, StringComparison.Ordinal);
        Assert.Contains("demo-1 (hotPath.redis.keyPrefix)", message, StringComparison.Ordinal);
        Assert.Equal(["hotPath.redis.keyPrefix"], (await HealthAsync(members[0])).PendingRestart);

        // Until then the members keep replicating on the streams they started with.
        members[0].Insert("after-the-spec-change");
        await Eventually.TrueAsync(() => members[1].Has("after-the-spec-change"), Deadline, "replication to go on until the restart");
    }

    private static async Task<SidecarHealth> HealthAsync(MemberNode member)
    {
        using var http = new HttpClient();
        var json = await http.GetStringAsync(new Uri(member.Process.AdminUrl, "/v1/status"));
        return JsonSerializer.Deserialize(json, Contracts.Json.ContractsJsonContext.Default.SidecarHealth)!;
    }
}
