using k8s;
using k8s.Autorest;
using K8sReplication.Kube.Client;
using K8sReplication.Kube.Resources;
using K8sReplication.Kube.Tests.Support;
using K8sReplication.Kube.Watch;
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
        var list = await ListConfigMapsAsync();
        var options = Clients.Watch(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        var ex = await Assert.ThrowsAsync<WatchStalledException>(async () =>
        {
            await foreach (var _ in Connection.WatchOnceAsync(KubeResources.ConfigMaps, "default", list.ResourceVersion, options))
            {
            }
        });
        Assert.True(ex.IsTransient);
        await Eventually.TrueAsync(() => Emulator.WatchConnections == 0, Patience, "the stalled watch connection is closed");
    }

    [Fact]
    public async Task StaticTokenRejected_Is401_NotRetried()
    {
        using var connection = Clients.For(Emulator.Url, token: "wrong");
        Emulator.AcceptedTokens = new HashSet<string> { "right" };
        Emulator.ClearRequests();
        var ex = await Assert.ThrowsAsync<HttpOperationException>(() => connection.Client.CoreV1.ListNamespacedConfigMapAsync("default"));
        Assert.Equal(401, ex.StatusCode());
        Assert.Single(Emulator.Requests);

        // The watch, which we read ourselves, reports the same.
        var watch = await Assert.ThrowsAnyAsync<KubeApiException>(async () =>
        {
            await foreach (var _ in connection.WatchOnceAsync(KubeResources.ConfigMaps, "default", null))
            {
            }
        });
        Assert.Equal(401, watch.StatusCode);
        Assert.False(watch.IsTransient);
    }

    [Fact]
    public async Task HundredsOfWatchReconnects_LeakNoConnectionsHandlesOrMemory()
    {
        var list = await ListConfigMapsAsync();
        await CreateConfigMapAsync("seed");
        var options = Clients.Watch(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60));

        async Task RoundsAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                // Each round opens a watch that replays the seed's ADDED event, then abandons it mid-stream.
                await foreach (var ev in Connection.WatchOnceAsync(KubeResources.ConfigMaps, "default", list.ResourceVersion, options))
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
        var list = await ListConfigMapsAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var received = 0;
        await CreateConfigMapAsync("drop-0");
        await foreach (var ev in Connection.WatchAsync(KubeResources.ConfigMaps, "default", list.ResourceVersion, Clients.Watch(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60)),
                           cancellationToken: cts.Token))
        {
            Assert.Equal("drop-" + received, ev.Item.Metadata.Name);
            if (++received == 60)
            {
                break;
            }

            Emulator.Faults.DropWatches();
            await CreateConfigMapAsync("drop-" + received);
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
