using k8s;
using k8s.Autorest;
using K8sReplication.Kube.Client;
using K8sReplication.Kube.Resources;
using K8sReplication.Kube.Tests.Support;
using K8sReplication.Kube.Watch;
using K8sReplication.TestKit;

namespace K8sReplication.Kube.Tests.Emulator;

public sealed class WatchAgainstEmulatorTests : EmulatorTestBase
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly WatchOptions Options = Clients.Watch(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60));

    [Fact]
    public async Task ForcedGone_CallerSeesResourceExpired_AndARelistRecovers()
    {
        var list = await ListConfigMapsAsync();
        await CreateConfigMapAsync("before");
        Emulator.Faults.ExpireHistory();

        await Assert.ThrowsAsync<ResourceExpiredException>(async () =>
        {
            await foreach (var _ in Connection.WatchAsync(KubeResources.ConfigMaps, "default", list.ResourceVersion, Options))
            {
            }
        });

        // The informer's recovery: relist, then watch from the new snapshot.
        var relist = await ListConfigMapsAsync();
        Assert.Contains(relist.Items, i => i.Metadata.Name == "before");
        await CreateConfigMapAsync("after");
        using var cts = new CancellationTokenSource(Patience);
        await foreach (var ev in Connection.WatchAsync(KubeResources.ConfigMaps, "default", relist.ResourceVersion, Options, cancellationToken: cts.Token))
        {
            if (ev.Type != WatchEventType.Bookmark)
            {
                Assert.Equal("after", ev.Item.Metadata.Name);
                Assert.Equal(WatchEventType.Added, ev.Type);
                break;
            }
        }
    }

    [Fact]
    public async Task ExpiredWhileDisconnected_ResumingWatchSurfacesResourceExpired()
    {
        var list = await ListConfigMapsAsync();
        using var cts = new CancellationTokenSource(Patience);
        var ex = await Assert.ThrowsAsync<ResourceExpiredException>(async () =>
        {
            await foreach (var ev in Connection.WatchAsync(KubeResources.ConfigMaps, "default", list.ResourceVersion, Options, cancellationToken: cts.Token))
            {
                if (ev.Type == WatchEventType.Bookmark)
                {
                    // The consumer is busy, so nothing reconnects yet: cut the stream first, then change and forget
                    // history, so the resume (on the next MoveNext) asks for a version the server no longer has.
                    Emulator.Faults.DropWatches();
                    await Eventually.TrueAsync(() => Emulator.WatchConnections == 0, Patience, "watch dropped");
                    await CreateConfigMapAsync("x");
                    Emulator.Faults.ExpireHistory();
                }
            }
        });
        Assert.Equal(410, ex.StatusCode);
    }

    [Fact]
    public async Task DroppedConnections_AreResumedFromTheLastVersion_WithoutDuplicates()
    {
        var list = await ListConfigMapsAsync();
        using var cts = new CancellationTokenSource(Patience);
        var seen = new List<string>();
        var next = 0;
        await CreateConfigMapAsync("cm-0");
        await foreach (var ev in Connection.WatchAsync(KubeResources.ConfigMaps, "default", list.ResourceVersion, Options, cancellationToken: cts.Token))
        {
            if (ev.Type == WatchEventType.Bookmark)
            {
                continue;
            }

            seen.Add(ev.Item.Metadata.Name!);
            if (++next == 5)
            {
                break;
            }

            Emulator.Faults.DropWatches();
            await CreateConfigMapAsync("cm-" + next);
        }

        Assert.Equal(["cm-0", "cm-1", "cm-2", "cm-3", "cm-4"], seen);
        Assert.True(Emulator.Requests.Count(r => r.Verb == "watch") >= 5, "one watch per dropped connection");
        await Eventually.TrueAsync(() => Emulator.WatchConnections == 0, Patience, "no watch left open");
    }

    [Fact]
    public async Task ServerRestart_WatchReconnects_AndCallsSucceedAfterwards()
    {
        var list = await ListConfigMapsAsync();
        using var cts = new CancellationTokenSource(Patience);
        var seen = new List<string>();
        await CreateConfigMapAsync("pre-restart");
        await foreach (var ev in Connection.WatchAsync(KubeResources.ConfigMaps, "default", list.ResourceVersion, Options, cancellationToken: cts.Token))
        {
            if (ev.Type == WatchEventType.Bookmark)
            {
                continue;
            }

            seen.Add(ev.Item.Metadata.Name!);
            if (seen.Count == 1)
            {
                await Emulator.RestartAsync();
                await CreateConfigMapAsync("post-restart");
            }
            else
            {
                break;
            }
        }

        Assert.Equal(["pre-restart", "post-restart"], seen);
        Assert.NotNull(await Client.CoreV1.ReadNamespacedConfigMapAsync("pre-restart", "default"));
    }

    [Fact]
    public async Task Bookmarks_ArriveOnAQuietWatch_AndCarryAResourceVersion()
    {
        var list = await ListConfigMapsAsync();
        using var cts = new CancellationTokenSource(Patience);
        var quiet = Options with { LabelSelector = "nothing=matches" };
        await CreateConfigMapAsync("unrelated"); // advances the store's version; a bookmark may report it
        await foreach (var ev in Connection.WatchOnceAsync(KubeResources.ConfigMaps, "default", list.ResourceVersion, quiet, cancellationToken: cts.Token))
        {
            Assert.Equal(WatchEventType.Bookmark, ev.Type);
            Assert.False(string.IsNullOrEmpty(ev.ResourceVersion));
            Assert.True(long.Parse(ev.ResourceVersion!) >= long.Parse(list.ResourceVersion!));
            break;
        }
    }

    [Fact]
    public async Task TransientErrors_AreRetriedForReads_ButNotForWritesTheServerMayHaveDone()
    {
        await CreateConfigMapAsync("r");
        Emulator.ClearRequests();
        Emulator.Faults.FailNext(2, 503, r => r.Verb == "get");
        var read = await Client.CoreV1.ReadNamespacedConfigMapAsync("r", "default");
        Assert.Equal("r", read.Metadata.Name);
        Assert.Equal(3, Emulator.Requests.Count(r => r.Verb == "get"));

        Emulator.ClearRequests();
        Emulator.Faults.FailNext(1, 500, r => r.Verb == "create");
        var ex = await Assert.ThrowsAsync<HttpOperationException>(() => CreateConfigMapAsync("w"));
        Assert.Equal(500, ex.StatusCode());
        Assert.Single(Emulator.Requests, r => r.Verb == "create");

        Emulator.ClearRequests();
        Emulator.Faults.FailNext(1, 429, r => r.Verb == "create");
        await CreateConfigMapAsync("w"); // throttled means not processed: safe to retry
        Assert.Equal(2, Emulator.Requests.Count(r => r.Verb == "create"));
        Assert.All(Emulator.Requests, r => Assert.StartsWith("k8srepl/", r.UserAgent));
    }
}
