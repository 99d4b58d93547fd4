using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using K8sReplication.Contracts.Config;
using K8sReplication.Contracts.Health;
using K8sReplication.Sidecar.Tests.Integration;
using K8sReplication.TestKit;
using K8sReplication.TestKit.Tools;
using StackExchange.Redis;

namespace K8sReplication.Sidecar.Tests.Streams;

/// <summary>
/// Real sidecar processes on the Redis transport against a real redis-server: each member publishes its own changes
/// to its stream and tails its peers' streams. Anti-entropy runs rarely (10 minutes) unless a test wants it, so what
/// converges came through the streams.
/// </summary>
public sealed class RedisTransportTests
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(60);

    private static Dictionary<string, string> Env(RedisServer redis) => new()
    {
        ["K8SREPL_TRANSPORT"] = "redis",
        ["K8SREPL_REDIS_URL"] = redis.Url,
        ["K8SREPL_REDIS_KEY_PREFIX"] = "t:",
    };

    private static async Task<ConnectionMultiplexer> ClientAsync(RedisServer redis) =>
        await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port},abortConnect=false");

    private static string StreamOf(TestNode node) => "t:default:" + node.Process.Site;

    /// <summary><paramref name="count"/> members on <paramref name="redis"/>, connected, with a first row written on n0 and replicated.</summary>
    private static async Task<TestMesh> MeshWithFirstRowAsync(RedisServer redis, int count)
    {
        var mesh = await TestMesh.StartAsync(count, interval: "10m", env: Env(redis));
        try
        {
            await mesh.ConnectFullMeshAsync();
            mesh[0].Exec("INSERT INTO items VALUES ('first', 'a', 1)");
            await mesh.WaitConvergedAsync(Converge, "first row");
            return mesh;
        }
        catch
        {
            await mesh.DisposeAsync();
            throw;
        }
    }

    [Fact]
    public async Task ThreeMembers_OnRedis_ConvergeWithWritesOnAll_ThroughTheirStreams()
    {
        await using var redis = new RedisServer();
        await redis.StartAsync();
        await using var mesh = await TestMesh.StartAsync(3, interval: "10m", env: Env(redis));
        await mesh.ConnectFullMeshAsync();

        for (var i = 0; i < 3; i++)
        {
            mesh[i].Exec($"INSERT INTO items VALUES ('from-{i}-a', 'x', {i}), ('from-{i}-b', x'00ff', {i})");
        }

        mesh[0].Exec("INSERT INTO items VALUES ('shared', 'from 0', 0)");
        mesh[1].Exec("INSERT INTO items VALUES ('shared', 'from 1', 1)");
        mesh[2].Exec("DELETE FROM items WHERE id = 'from-2-b'");

        await mesh.WaitConvergedAsync(Converge, "three members over Redis");
        Assert.Equal(6, mesh[0].Count());
        using var client = await ClientAsync(redis);
        var db = client.GetDatabase();
        foreach (var node in mesh.Nodes)
        {
            // Each member's own changes are in its own stream: two inserts each (a 'shared' that lost before it was
            // published is not: the feed, and so the stream, carries each row's current version).
            Assert.True(await db.StreamLengthAsync(StreamOf(node)) >= 2, $"{node.Name}'s stream holds its changes");
            var status = await node.StatusAsync();
            Assert.NotNull(status.Redis);
            Assert.True(status.Redis!.Connected);
            Assert.DoesNotContain(status.Peers, p => p.Site is null);
        }

        var entry = (await db.StreamRangeAsync(StreamOf(mesh[2]), "-", "+"))
            .Single(e => ((string?)e["key"])!.StartsWith("items/", StringComparison.Ordinal) && (string?)e["op"] == "DEL");
        var data = (byte[])entry["data"]!;
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data)), (string?)entry["hash"]);
        Assert.Contains("\"updated_at\"", (string?)entry["meta"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMemberDownWhileOthersWrite_ReadsTheirStreamsWhenBack_AndItsOwnWritesArePublished()
    {
        await using var redis = new RedisServer();
        await redis.StartAsync();
        await using var mesh = await MeshWithFirstRowAsync(redis, 3);

        Assert.Equal(0, await mesh[2].Process.StopAsync());
        mesh[0].Exec("INSERT INTO items VALUES ('while-down-0', 'd', 1)");
        mesh[1].Exec("INSERT INTO items VALUES ('while-down-1', 'd', 2)");
        // Captured by the triggers while the sidecar is down; published when it is back.
        mesh[2].Exec("INSERT INTO items VALUES ('while-down-2', 'd', 3)");

        await mesh[2].Process.RestartAsync();
        await mesh.ConnectFullMeshAsync(generation: 2);
        await mesh.WaitConvergedAsync(Converge, "the member that was down caught up, and its own writes spread");
        Assert.Equal(4, mesh[0].Count());
    }

    [Fact]
    public async Task RedisRestartedMidWrite_WithAof_LosesNothing_AndStatusNamesRedisWhileItIsDown()
    {
        await using var redis = new RedisServer { AppendOnly = true };
        await redis.StartAsync();
        await using var mesh = await TestMesh.StartAsync(2, interval: "10m", env: Env(redis));
        await mesh.ConnectFullMeshAsync();

        var writer = Task.Run(() =>
        {
            for (var i = 0; i < 300; i++)
            {
                mesh[0].Exec($"INSERT INTO items VALUES ('w-{i:D4}', 'v', {i})");
            }
        });
        await Eventually.TrueAsync(() => mesh[1].Count() > 0, Converge, "replication started");
        await redis.KillAsync();
        await Eventually.ValueAsync(async () => await mesh[0].StatusAsync(),
            s => s.Redis is { Connected: false, Circuit: CircuitState.Open } && !s.Healthy && s.Errors.Any(e => e.Contains("Redis", StringComparison.Ordinal)),
            Converge, "status says Redis is down: circuit open, unhealthy, an error naming Redis");
        mesh[0].Exec("INSERT INTO items VALUES ('during-outage', 'o', 0)");
        await writer;

        await redis.StartAsync();
        await mesh.WaitConvergedAsync(Converge, "every write made before, during and after the outage");
        Assert.Equal(301, mesh[1].Count());
        foreach (var node in mesh.Nodes)
        {
            // n1 only reads: its publisher has nothing to send, and must leave the half-open breaker to its tailer.
            await Eventually.ValueAsync(async () => await node.StatusAsync(), s => s.Redis is { Connected: true, LastError: null, Circuit: CircuitState.Closed },
                Converge, $"Redis back in {node.Name}'s status");
        }
    }

    [Fact]
    public async Task BadEntries_AreSkippedAndCounted_AndTheGoodOnesAfterThemApply()
    {
        await using var redis = new RedisServer();
        await redis.StartAsync();
        await using var mesh = await MeshWithFirstRowAsync(redis, 2);

        using var client = await ClientAsync(redis);
        var db = client.GetDatabase();
        var stream = StreamOf(mesh[0]);
        var good = (await db.StreamRangeAsync(stream, "-", "+"))[^1];
        var data = (byte[])good["data"]!;
        // A hash that does not match its data, and an operation that is neither PUT nor DEL.
        await db.StreamAddAsync(stream, [new("op", "PUT"), new("key", "items/x"), new("data", data), new("hash", new string('0', 64)), new("meta", "{}")]);
        await db.StreamAddAsync(stream, [new("op", "MERGE"), new("key", "items/x"), new("data", data), new("hash", good["hash"]), new("meta", "{}")]);
        await db.StreamAddAsync(stream, [new("op", "PUT"), new("data", "garbage"u8.ToArray()), new("hash", Convert.ToHexStringLower(SHA256.HashData("garbage"u8))), new("meta", "{}")]);
        mesh[0].Exec("INSERT INTO items VALUES ('after', 'b', 2)");

        await Eventually.TrueAsync(() => mesh[1].Dump().Contains("after|", StringComparison.Ordinal), Converge, "the good entry after the bad ones applied");
        var metrics = await Eventually.ValueAsync(() => mesh[1].GetAdminAsync("/metrics").ContinueWith(t => t.Result.Content.ReadAsStringAsync()).Unwrap(),
            m => m.Contains("replication_stream_bad_entries_total{peer=\"n0\",reason=\"malformed\"} 1", StringComparison.Ordinal), Converge, "bad entries counted");
        Assert.Contains("replication_stream_bad_entries_total{peer=\"n0\",reason=\"hash\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("replication_stream_bad_entries_total{peer=\"n0\",reason=\"op\"} 1", metrics, StringComparison.Ordinal);
        var peer = Assert.Single((await mesh[1].StatusAsync()).Peers);
        Assert.True(peer.BatchesRejected >= 3, "bad entries reported on the peer");
        Assert.Equal(2, mesh[1].Count());
    }

    [Fact]
    public async Task ZstdEntriesOfAnotherPublisher_AreRead_AndAZstdBombIsRefusedWithoutInflatingIt()
    {
        await using var redis = new RedisServer();
        await redis.StartAsync();
        await using var mesh = await MeshWithFirstRowAsync(redis, 2);
        Assert.Equal(0, await mesh[1].Process.StopAsync());

        mesh[0].Exec("INSERT INTO items VALUES ('zstd-row', 'z', 1)");
        using var client = await ClientAsync(redis);
        var db = client.GetDatabase();
        var stream = StreamOf(mesh[0]);
        await Eventually.ValueAsync(() => db.StreamLengthAsync(stream), n => n >= 2, Converge, "the new row published");

        // Written again the way other publishers of the event shape may write it: data zstd-compressed, hash over the
        // uncompressed bytes. Before it, a bomb: 64 MiB of zeros in a few KiB, its hash over what it would inflate to.
        var entry = (await db.StreamRangeAsync(stream, "-", "+"))[^1];
        await db.StreamDeleteAsync(stream, [entry.Id]);
        using var compressor = new ZstdSharp.Compressor();
        var zeros = new byte[64 << 20];
        var bomb = compressor.Wrap(zeros).ToArray();
        Assert.True(bomb.Length < 64 << 10);
        await db.StreamAddAsync(stream, [new("op", "PUT"), new("key", "items/bomb"), new("data", bomb), new("hash", Convert.ToHexStringLower(SHA256.HashData(zeros))), new("meta", "{}")]);
        var packed = compressor.Wrap((byte[])entry["data"]!).ToArray();
        await db.StreamAddAsync(stream, [new("op", entry["op"]), new("key", entry["key"]), new("data", packed), new("hash", entry["hash"]), new("meta", entry["meta"])]);

        await mesh[1].Process.RestartAsync();
        await mesh.ConnectFullMeshAsync(generation: 2);
        await Eventually.TrueAsync(() => mesh[1].Dump().Contains("zstd-row|", StringComparison.Ordinal), Converge, "the zstd entry applied");
        var metrics = await (await mesh[1].GetAdminAsync("/metrics")).Content.ReadAsStringAsync();
        // The bomb is the only bad entry (the compressed one was not refused), and anti-entropy (every 10 minutes
        // here) had no part in it.
        Assert.Contains("replication_stream_bad_entries_total{peer=\"n0\",reason=\"malformed\"} 1", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("reason=\"hash\"} 1", metrics, StringComparison.Ordinal);
        var repaired = Assert.Single((await mesh[1].StatusAsync()).Peers).LastAntiEntropy?.RowsRepaired ?? 0;
        Assert.Equal(0, repaired);
    }

    [Fact]
    public async Task AStreamTrimmedPastACursor_IsReported_AndAntiEntropyRepairsTheGap()
    {
        await using var redis = new RedisServer();
        await redis.StartAsync();
        await using var mesh = await MeshWithFirstRowAsync(redis, 2);

        Assert.Equal(0, await mesh[1].Process.StopAsync());
        for (var i = 0; i < 50; i++)
        {
            mesh[0].Exec($"INSERT INTO items VALUES ('gap-{i:D2}', 'g', {i})");
        }

        using var client = await ClientAsync(redis);
        var db = client.GetDatabase();
        var stream = StreamOf(mesh[0]);
        await Eventually.ValueAsync(async () => (await mesh[0].StatusAsync()).Redis!.PublishedSeq, seq => seq > 0, Converge, "published");
        await Eventually.ValueAsync(() => db.StreamLengthAsync(stream), n => n >= 51, Converge, "every change published");
        // Everything n1 has not read is trimmed away, as MAXLEN would after a long outage.
        await db.StreamTrimAsync(stream, 10);

        await mesh[1].Process.RestartAsync();
        await mesh.ConnectFullMeshAsync(generation: 2);
        await mesh.WaitConvergedAsync(Converge, "the trimmed changes repaired by anti-entropy");
        Assert.Equal(51, mesh[1].Count());
        var peer = Assert.Single((await mesh[1].StatusAsync()).Peers);
        Assert.Contains("trimmed", peer.LastTrim, StringComparison.Ordinal);
        var metrics = await (await mesh[1].GetAdminAsync("/metrics")).Content.ReadAsStringAsync();
        Assert.Contains("replication_stream_trimmed_total{peer=\"n0\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rediss_WithAPrivateCa_AndAPasswordFile_Converges_AndThePasswordIsNeverShown()
    {
        const string password = "redis-pass-1f3e";
        var folder = Directory.CreateTempSubdirectory("redis-tls-").FullName;
        try
        {
            var (caFile, certFile, keyFile) = WriteTestCertificates(folder);
            await using var redis = new RedisServer { Tls = (certFile, keyFile, caFile), Password = password };
            await redis.StartAsync();
            var passwordFile = Path.Combine(folder, "password");
            await File.WriteAllTextAsync(passwordFile, password + "\n");
            var env = new Dictionary<string, string>
            {
                ["K8SREPL_TRANSPORT"] = "redis",
                ["K8SREPL_REDIS_URL"] = $"rediss://127.0.0.1:{redis.Port}",
                ["K8SREPL_REDIS_PASSWORD_FILE"] = passwordFile,
                ["K8SREPL_REDIS_CA_FILE"] = caFile,
            };
            await using var mesh = await TestMesh.StartAsync(2, interval: "10m", env: env);
            await mesh.ConnectFullMeshAsync();
            mesh[0].Exec("INSERT INTO items VALUES ('over-tls-0', 'a', 0)");
            mesh[1].Exec("INSERT INTO items VALUES ('over-tls-1', 'b', 1)");

            await mesh.WaitConvergedAsync(Converge, "two members over rediss://");
            Assert.Equal(2, mesh[0].Count());
            var status = await mesh[0].StatusAsync();
            Assert.Equal($"rediss://127.0.0.1:{redis.Port}/0", status.Redis!.Url);
            Assert.True(status.Redis.Connected);
            Assert.DoesNotContain(password, mesh[0].Process.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A CA and a server certificate for 127.0.0.1 it signed, as PEM files.</summary>
    private static (string Ca, string Cert, string Key) WriteTestCertificates(string folder)
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=k8srepl test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        using var serverKey = RSA.Create(2048);
        var serverRequest = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var server = serverRequest.Create(ca, now.AddMinutes(-4), now.AddHours(23), [1, 2, 3, 4]);

        var paths = (Path.Combine(folder, "ca.pem"), Path.Combine(folder, "server.pem"), Path.Combine(folder, "server.key"));
        File.WriteAllText(paths.Item1, ca.ExportCertificatePem());
        File.WriteAllText(paths.Item2, server.ExportCertificatePem());
        File.WriteAllText(paths.Item3, serverKey.ExportPkcs8PrivateKeyPem());
        return paths;
    }

    [Fact]
    public async Task APushLeavingRedisOrMovingItsStreams_WaitsForARestart_AndTheMembersKeepReplicatingOnTheirStreams()
    {
        await using var redis = new RedisServer();
        await redis.StartAsync();
        await using var mesh = await MeshWithFirstRowAsync(redis, 2);
        var peers = new[] { new PeerConfig { Name = mesh[1].Name, Url = mesh[1].ReplicationUrl.ToString() } };

        // n0 is told to go back to HTTP feeds, n1 to move its streams under another prefix: both are start-time.
        using (var toHttp = await mesh[0].PushConfigAsync(new SidecarConfig { Generation = 2, Peers = peers, HotPath = new HotPathConfig { Transport = "http" } }))
        {
            Assert.True(toHttp.IsSuccessStatusCode, await toHttp.Content.ReadAsStringAsync());
        }

        using (var moved = await mesh[1].PushConfigAsync(new SidecarConfig
        {
            Generation = 2,
            Peers = [new PeerConfig { Name = mesh[0].Name, Url = mesh[0].ReplicationUrl.ToString() }],
            HotPath = new HotPathConfig { Redis = new RedisTransportConfig { Url = redis.Url, KeyPrefix = "elsewhere:" } },
        }))
        {
            Assert.True(moved.IsSuccessStatusCode, await moved.Content.ReadAsStringAsync());
        }

        var n0 = await mesh[0].StatusAsync();
        var n1 = await mesh[1].StatusAsync();
        Assert.Equal((2L, 2L), (n0.ConfigGeneration, n1.ConfigGeneration));
        Assert.Equal(["hotPath.transport"], n0.PendingRestart);
        Assert.Equal(["hotPath.redis.keyPrefix"], n1.PendingRestart);

        // Until a restart both go on publishing to and reading from the streams they started with.
        mesh[0].Exec("INSERT INTO items VALUES ('after-push-0', 'a', 1)");
        mesh[1].Exec("INSERT INTO items VALUES ('after-push-1', 'b', 1)");
        await mesh.WaitConvergedAsync(Converge, "both rows over the streams in use");
        using var client = await ClientAsync(redis);
        var db = client.GetDatabase();
        Assert.Equal(0, await db.StreamLengthAsync("elsewhere:default:" + mesh[1].Process.Site));
        Assert.True((await mesh[0].StatusAsync()).Redis!.Connected);
    }
}
