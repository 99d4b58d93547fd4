using K8sReplication.Kube.Client;
using K8sReplication.Kube.Models;
using K8sReplication.Kube.Tests.Conformance;
using K8sReplication.Kube.Watch;
using K8sReplication.TestKit;

namespace K8sReplication.Kube.Tests.Emulator;

public sealed class WatchAgainstEmulatorTests : EmulatorTestBase
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly WatchOptions Options = new() { ServerTimeout = TimeSpan.FromSeconds(60), InactivityTimeout = TimeSpan.FromSeconds(10) };

    private Task<ConfigMap> CreateAsync(string name) =>
        Client.CreateAsync(ResourceTypes.ConfigMaps, ClientScenarios.Cm(name, "default"));

    [Fact]
    public async Task ForcedGone_CallerSeesResourceExpired_AndARelistRecovers()
    {
        var list = await Client.ListAllAsync(ResourceTypes.ConfigMaps, "default");
        await CreateAsync("before");
        Emulator.Faults.ExpireHistory();

        await Assert.ThrowsAsync<ResourceExpiredException>(async () =>
        {
            await foreach (var _ in Client.WatchAsync(ResourceTypes.ConfigMaps, "default", list.ResourceVersion, Options))
            {
            }
        });

        // The informer's recovery: relist, then watch from the new snapshot.
        var relist = await Client.ListAllAsync(ResourceTypes.ConfigMaps, "default");
        Assert.Contains(relist.Items, i => i.Metadata.Name == "before");
        await CreateAsync("after");
        using var cts = new CancellationTokenSource(Patience);
        await foreach (var ev in Client.WatchAsync(ResourceTypes.ConfigMaps, "default", relist.ResourceVersion, Options, cts.Token))
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
        var list = await Client.ListAllAsync(ResourceTypes.ConfigMaps, "default");
        using var cts = new CancellationTokenSource(Patience);
        var ex = await Assert.ThrowsAsync<ResourceExpiredException>(async () =>
        {
            await foreach (var ev in Client.WatchAsync(ResourceTypes.ConfigMaps, "default", list.ResourceVersion, Options, cts.Token))
            {
                if (ev.Type == WatchEventType.Bookmark)
                {
                    // The consumer is busy, so nothing reconnects yet: cut the stream first, then change and forget
                    // history, so the resume (on the next MoveNext) asks for a version the server no longer has.
                    Emulator.Faults.DropWatches();
                    await Eventually.TrueAsync(() => Emulator.WatchConnections == 0, Patience, "watch dropped");
                    await CreateAsync("x");
                    Emulator.Faults.ExpireHistory();
                }
            }
        });
        Assert.True(ex.IsGone);
    }

    [Fact]
    public async Task DroppedConnections_AreResumedFromTheLastVersion_WithoutDuplicates()
    {
        var list = await Client.ListAllAsync(ResourceTypes.ConfigMaps, "default");
        using var cts = new CancellationTokenSource(Patience);
        var seen = new List<string>();
        var next = 0;
        await CreateAsync("cm-0");
        await foreach (var ev in Client.WatchAsync(ResourceTypes.ConfigMaps, "default", list.ResourceVersion, Options, cts.Token))
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
            await CreateAsync("cm-" + next);
        }

        Assert.Equal(["cm-0", "cm-1", "cm-2", "cm-3", "cm-4"], seen);
        Assert.True(Emulator.Requests.Count(r => r.Verb == "watch") >= 5, "one watch per dropped connection");
        await Eventually.TrueAsync(() => Emulator.WatchConnections == 0, Patience, "no watch left open");
    }

    [Fact]
    public async Task ServerRestart_WatchReconnects_AndCallsSucceedAfterwards()
    {
        var list = await Client.ListAllAsync(ResourceTypes.ConfigMaps, "default");
        using var cts = new CancellationTokenSource(Patience);
        var seen = new List<string>();
        await CreateAsync("pre-restart");
        await foreach (var ev in Client.WatchAsync(ResourceTypes.ConfigMaps, "default", list.ResourceVersion, Options, cts.Token))
        {
            if (ev.Type == WatchEventType.Bookmark)
            {
                continue;
            }

            seen.Add(ev.Item.Metadata.Name!);
            if (seen.Count == 1)
            {
                await Emulator.RestartAsync();
                await CreateAsync("post-restart");
            }
            else
            {
                break;
            }
        }

        Assert.Equal(["pre-restart", "post-restart"], seen);
        Assert.NotNull(await Client.GetAsync(ResourceTypes.ConfigMaps, "pre-restart", "default"));
    }

    [Fact]
    public async Task Bookmarks_ArriveOnAQuietWatch_AndCarryAResourceVersion()
    {
        var list = await Client.ListAllAsync(ResourceTypes.ConfigMaps, "default");
        using var cts = new CancellationTokenSource(Patience);
        var quiet = Options with { LabelSelector = "nothing=matches" };
        await CreateAsync("unrelated"); // advances the store's version; a bookmark may report it
        await foreach (var ev in Client.WatchOnceAsync(ResourceTypes.ConfigMaps, "default", list.ResourceVersion, quiet, cts.Token))
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
        await CreateAsync("r");
        Emulator.ClearRequests();
        Emulator.Faults.FailNext(2, 503, r => r.Verb == "get");
        var read = await Client.GetAsync(ResourceTypes.ConfigMaps, "r", "default");
        Assert.Equal("r", read.Metadata.Name);
        Assert.Equal(3, Emulator.Requests.Count(r => r.Verb == "get"));

        Emulator.ClearRequests();
        Emulator.Faults.FailNext(1, 500, r => r.Verb == "create");
        var ex = await Assert.ThrowsAnyAsync<KubeApiException>(() => CreateAsync("w"));
        Assert.Equal(500, ex.StatusCode);
        Assert.Single(Emulator.Requests, r => r.Verb == "create");

        Emulator.ClearRequests();
        Emulator.Faults.FailNext(1, 429, r => r.Verb == "create");
        await CreateAsync("w"); // throttled means not processed: safe to retry
        Assert.Equal(2, Emulator.Requests.Count(r => r.Verb == "create"));
        Assert.All(Emulator.Requests, r => Assert.StartsWith("k8srepl/", r.UserAgent));
    }
}
