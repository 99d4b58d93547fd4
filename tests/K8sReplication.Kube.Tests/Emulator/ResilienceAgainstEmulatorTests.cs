using K8sReplication.Kube.Client;
using K8sReplication.Kube.Config;
using K8sReplication.Kube.Tests.Conformance;
using K8sReplication.Kube.Tests.Support;
using K8sReplication.TestKit;
using K8sReplication.TestKit.Kube;

namespace K8sReplication.Kube.Tests.Emulator;

[Collection(nameof(ProcessWideMeasurements))] // counts the process's file handles and heap
public sealed class ResilienceAgainstEmulatorTests : EmulatorTestBase
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    // Long bookmark interval so a quiet watch is truly silent.
    protected override ApiServerEmulatorOptions? EmulatorOptions => new() { BookmarkInterval = TimeSpan.FromMinutes(10) };

    [Fact]
    public async Task SilentWatch_EndsWithStalledException_AndTheServerSeesItClosed()
    {
        var list = await Client.ListAllAsync(ResourceTypes.ConfigMaps, "default");
        var options = new WatchOptions { InactivityTimeout = TimeSpan.FromSeconds(1), ServerTimeout = TimeSpan.FromSeconds(60) };
        var ex = await Assert.ThrowsAsync<WatchStalledException>(async () =>
        {
            await foreach (var _ in Client.WatchOnceAsync(ResourceTypes.ConfigMaps, "default", list.ResourceVersion, options))
            {
            }
        });
        Assert.True(ex.IsTransient);
        await Eventually.TrueAsync(() => Emulator.WatchConnections == 0, Patience, "the stalled watch connection is closed");
    }

    [Fact]
    public async Task InClusterTokenRotation_IsPickedUpWithoutRestart()
    {
        using var certs = new TestCertificates();
        Dir.Write("sa/token", "token-1\n");
        Dir.Write("sa/ca.crt", certs.CaPem);
        Dir.Write("sa/namespace", "default");
        var inCluster = KubeClientConfig.InCluster(Path.Combine(Dir.Path, "sa"),
            k => k switch { "KUBERNETES_SERVICE_HOST" => "10.0.0.1", "KUBERNETES_SERVICE_PORT" => "443", _ => null });

        // Same token file and namespace as in a pod; only the server is the (plain HTTP) emulator.
        using var client = new KubeClient(new KubeClientConfig
        {
            Server = Emulator.Url,
            Namespace = inCluster.Namespace,
            BearerTokenFile = inCluster.BearerTokenFile,
        }, Clients.FastOptions);
        Emulator.AcceptedTokens = new HashSet<string> { "token-1" };
        await client.CreateAsync(ResourceTypes.ConfigMaps, ClientScenarios.Cm("a", "default"));

        // The kubelet rotates the projected token; the API server stops accepting the old one.
        File.WriteAllText(inCluster.BearerTokenFile!, "token-2\n");
        Emulator.AcceptedTokens = new HashSet<string> { "token-2" };
        Emulator.ClearRequests();
        var read = await client.GetAsync(ResourceTypes.ConfigMaps, "a");
        Assert.Equal("a", read.Metadata.Name);
        Assert.Equal([401, 200], Emulator.Requests.Where(r => r.Verb == "get").Select(r => r.StatusCode));

        // Watches also pick up the new token.
        File.WriteAllText(inCluster.BearerTokenFile!, "token-3");
        Emulator.AcceptedTokens = new HashSet<string> { "token-3" };
        var list = await client.ListAsync(ResourceTypes.ConfigMaps);
        await client.CreateAsync(ResourceTypes.ConfigMaps, ClientScenarios.Cm("b", "default"));
        using var cts = new CancellationTokenSource(Patience);
        await foreach (var ev in client.WatchOnceAsync(ResourceTypes.ConfigMaps, null, list.ResourceVersion, null, cts.Token))
        {
            Assert.Equal("b", ev.Item.Metadata.Name);
            break;
        }
    }

    [Fact]
    public async Task StaticTokenRejected_Is401_NotRetried()
    {
        using var client = new KubeClient(new KubeClientConfig { Server = Emulator.Url, BearerToken = "wrong" }, Clients.FastOptions);
        Emulator.AcceptedTokens = new HashSet<string> { "right" };
        Emulator.ClearRequests();
        var ex = await Assert.ThrowsAnyAsync<KubeApiException>(() => client.ListAsync(ResourceTypes.ConfigMaps));
        Assert.Equal(401, ex.StatusCode);
        Assert.False(ex.IsTransient);
        Assert.Single(Emulator.Requests);
    }

    [Fact]
    public async Task HundredsOfWatchReconnects_LeakNoConnectionsHandlesOrMemory()
    {
        var list = await Client.ListAllAsync(ResourceTypes.ConfigMaps, "default");
        await Client.CreateAsync(ResourceTypes.ConfigMaps, ClientScenarios.Cm("seed", "default"));
        var options = new WatchOptions { ServerTimeout = TimeSpan.FromSeconds(60), InactivityTimeout = TimeSpan.FromSeconds(30) };

        async Task RoundsAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                // Each round opens a watch that replays the seed's ADDED event, then abandons it mid-stream.
                await foreach (var ev in Client.WatchOnceAsync(ResourceTypes.ConfigMaps, "default", list.ResourceVersion, options))
                {
                    Assert.Equal("seed", ev.Item.Metadata.Name);
                    break;
                }
            }
        }

        await RoundsAsync(50); // warm up pools, JIT and caches before measuring
        await Eventually.TrueAsync(() => Emulator.WatchConnections == 0, Patience, "warm-up watches closed");
        var handlesBefore = OpenHandles();
        var memoryBefore = SettledMemory();

        await RoundsAsync(300);

        await Eventually.TrueAsync(() => Emulator.WatchConnections == 0, Patience, "all 300 watches closed on the server");
        await Eventually.TrueAsync(() => OpenHandles() <= handlesBefore + 20, Patience,
            $"file handles back near {handlesBefore} (now {OpenHandles()})");
        var memoryAfter = SettledMemory();
        Assert.True(memoryAfter - memoryBefore < 16 * 1024 * 1024,
            $"managed memory grew by {(memoryAfter - memoryBefore) / 1024} KiB over 300 reconnects");
    }

    [Fact]
    public async Task ResumingWatch_SurvivesRepeatedDrops_WithoutLeakingConnections()
    {
        var list = await Client.ListAllAsync(ResourceTypes.ConfigMaps, "default");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var received = 0;
        await Client.CreateAsync(ResourceTypes.ConfigMaps, ClientScenarios.Cm("drop-0", "default"));
        await foreach (var ev in Client.WatchAsync(ResourceTypes.ConfigMaps, "default", list.ResourceVersion, null, cts.Token))
        {
            Assert.Equal("drop-" + received, ev.Item.Metadata.Name);
            if (++received == 60)
            {
                break;
            }

            Emulator.Faults.DropWatches();
            await Client.CreateAsync(ResourceTypes.ConfigMaps, ClientScenarios.Cm("drop-" + received, "default"));
        }

        Assert.Equal(60, received);
        await Eventually.TrueAsync(() => Emulator.WatchConnections == 0, Patience, "no watch left open after 60 drops");
    }

    private static int OpenHandles() =>
        Directory.Exists("/proc/self/fd") ? Directory.GetFiles("/proc/self/fd").Length : System.Diagnostics.Process.GetCurrentProcess().HandleCount;

    private static long SettledMemory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
