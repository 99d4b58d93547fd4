using System.Net;
using K8sReplication.TestKit.Kube;
using static K8sReplication.TestKit.Tests.Kube.Objects;

namespace K8sReplication.TestKit.Tests.Kube;

public sealed class ApiServerEmulatorWatchTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private ApiServerEmulator _emulator = null!;
    private KubeHttp _http = null!;

    public async Task InitializeAsync()
    {
        _emulator = await ApiServerEmulator.StartAsync(new ApiServerEmulatorOptions { BookmarkInterval = TimeSpan.FromMilliseconds(200), HistoryLimit = 50 });
        _http = new KubeHttp(_emulator.Url);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _emulator.DisposeAsync();
    }

    private static string Type(System.Text.Json.Nodes.JsonObject e) => e["type"]!.GetValue<string>();

    [Fact]
    public async Task Watch_WithoutVersion_StartsWithCurrentObjects_ThenStreamsChangesInOrder()
    {
        await _http.CreateAsync(ConfigMaps, ConfigMap("existing"));
        await using var watch = await WatchStream.OpenAsync(_http.Client, $"{ConfigMaps}?watch=1");
        var first = await watch.NextAsync();
        Assert.Equal("ADDED", Type(first));
        Assert.Equal("existing", Name(first["object"]!));

        var created = await _http.CreateAsync(ConfigMaps, ConfigMap("new"));
        await _http.PatchAsync($"{ConfigMaps}/new", """{"data":{"key":"2"}}""");
        await _http.DeleteAsync($"{ConfigMaps}/new");
        var events = new[] { await watch.NextAsync(), await watch.NextAsync(), await watch.NextAsync() };
        Assert.Equal(["ADDED", "MODIFIED", "DELETED"], events.Select(Type));
        var versions = events.Select(e => RvNumber(e["object"]!.AsObject())).ToList();
        Assert.Equal(versions.Order(), versions);
        Assert.True(versions[0] == RvNumber(created));
    }

    [Fact]
    public async Task Watch_FromAResourceVersion_ReplaysOnlyLaterChanges()
    {
        var a = await _http.CreateAsync(ConfigMaps, ConfigMap("a"));
        await _http.CreateAsync(ConfigMaps, ConfigMap("b"));
        await _http.PatchAsync($"{ConfigMaps}/a", """{"data":{"key":"x"}}""");
        await using var watch = await WatchStream.OpenAsync(_http.Client, $"{ConfigMaps}?watch=true&resourceVersion={Rv(a)}");
        var one = await watch.NextAsync();
        var two = await watch.NextAsync();
        Assert.Equal(("ADDED", "b"), (Type(one), Name(one["object"]!)));
        Assert.Equal(("MODIFIED", "a"), (Type(two), Name(two["object"]!)));
    }

    [Fact]
    public async Task Watch_WithLabelSelector_SeesObjectsEnterAndLeaveTheSelection()
    {
        await _http.CreateAsync(ConfigMaps, ConfigMap("sel"));
        var (_, list) = await _http.GetAsync(ConfigMaps);
        await using var watch = await WatchStream.OpenAsync(_http.Client, $"{ConfigMaps}?watch=1&labelSelector=app%3Dweb&resourceVersion={list["metadata"]!["resourceVersion"]}");
        await _http.PatchAsync($"{ConfigMaps}/sel", """{"metadata":{"labels":{"app":"web"}}}""");
        Assert.Equal("ADDED", Type(await watch.NextAsync()));
        await _http.PatchAsync($"{ConfigMaps}/sel", """{"metadata":{"labels":{"app":"db"}}}""");
        Assert.Equal("DELETED", Type(await watch.NextAsync()));
    }

    [Fact]
    public async Task Bookmarks_ArriveWhenAsked_CarryingTheCurrentVersion()
    {
        var created = await _http.CreateAsync(ConfigMaps, ConfigMap("bm"));
        await using var watch = await WatchStream.OpenAsync(_http.Client, $"{ConfigMaps}?watch=1&allowWatchBookmarks=true&resourceVersion={Rv(created)}");
        var bookmark = await watch.NextAsync();
        Assert.Equal("BOOKMARK", Type(bookmark));
        Assert.True(RvNumber(bookmark["object"]!.AsObject()) >= RvNumber(created));

        await using var plain = await WatchStream.OpenAsync(_http.Client, $"{ConfigMaps}?watch=1&resourceVersion={Rv(created)}");
        await _http.CreateAsync(ConfigMaps, ConfigMap("after"));
        Assert.Equal("ADDED", Type(await plain.NextAsync()));
    }

    [Fact]
    public async Task ExpireHistory_MakesResumeFromAnOldVersionAn410ErrorEvent()
    {
        var old = await _http.CreateAsync(ConfigMaps, ConfigMap("old"));
        await _http.CreateAsync(ConfigMaps, ConfigMap("newer"));
        _emulator.Faults.ExpireHistory();
        await using var watch = await WatchStream.OpenAsync(_http.Client, $"{ConfigMaps}?watch=1&resourceVersion={Rv(old)}");
        var error = await watch.NextAsync();
        Assert.Equal("ERROR", Type(error));
        Assert.Equal(410, error["object"]!["code"]!.GetValue<int>());
        Assert.Equal("Expired", error["object"]!["reason"]!.GetValue<string>());
        Assert.StartsWith("too old resource version", error["object"]!["message"]!.GetValue<string>());
        await watch.Ended;

        var (_, list) = await _http.GetAsync(ConfigMaps);
        await using var fresh = await WatchStream.OpenAsync(_http.Client, $"{ConfigMaps}?watch=1&resourceVersion={list["metadata"]!["resourceVersion"]}");
        await _http.CreateAsync(ConfigMaps, ConfigMap("after-relist"));
        Assert.Equal("ADDED", Type(await fresh.NextAsync()));
    }

    [Fact]
    public async Task BoundedHistory_ExpiresVersionsOlderThanTheLimit()
    {
        var first = await _http.CreateAsync(ConfigMaps, ConfigMap("h"));
        for (var i = 0; i < 60; i++)
        {
            await _http.PatchAsync($"{ConfigMaps}/h", "{\"data\":{\"key\":\"" + i + "\"}}");
        }

        await using var watch = await WatchStream.OpenAsync(_http.Client, $"{ConfigMaps}?watch=1&resourceVersion={Rv(first)}");
        Assert.Equal("ERROR", Type(await watch.NextAsync()));
    }

    [Fact]
    public async Task ContinueToken_OlderThanTheHistory_Is410()
    {
        await _http.CreateAsync(ConfigMaps, ConfigMap("c1"));
        await _http.CreateAsync(ConfigMaps, ConfigMap("c2"));
        var (_, page) = await _http.GetAsync($"{ConfigMaps}?limit=1");
        var token = page["metadata"]!["continue"]!.GetValue<string>();
        await _http.CreateAsync(ConfigMaps, ConfigMap("c3"));
        _emulator.Faults.ExpireHistory();
        var (status, body) = await _http.GetAsync($"{ConfigMaps}?limit=1&continue={Uri.EscapeDataString(token)}");
        Assert.Equal(HttpStatusCode.Gone, status);
        Assert.Equal("Expired", body["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task TimeoutSeconds_EndsTheStreamCleanly()
    {
        await using var watch = await WatchStream.OpenAsync(_http.Client, $"{ConfigMaps}?watch=1&timeoutSeconds=1");
        await watch.Ended.WaitAsync(Deadline);
        await Eventually.TrueAsync(() => _emulator.WatchConnections == 0, Deadline, "the timed-out watch to be released");
    }

    [Fact]
    public async Task DropWatches_CutsOpenStreams_AndReleasesThem()
    {
        await using var one = await WatchStream.OpenAsync(_http.Client, $"{ConfigMaps}?watch=1");
        await using var two = await WatchStream.OpenAsync(_http.Client, "/api/v1/namespaces/default/pods?watch=1");
        await Eventually.TrueAsync(() => _emulator.WatchConnections == 2, Deadline, "two open watches");
        _emulator.Faults.DropWatches();
        await Assert.ThrowsAnyAsync<Exception>(() => one.Ended.WaitAsync(Deadline));
        await Assert.ThrowsAnyAsync<Exception>(() => two.Ended.WaitAsync(Deadline));
        await Eventually.TrueAsync(() => _emulator.WatchConnections == 0, Deadline, "dropped watches to be released");
    }

    [Fact]
    public async Task Restart_KeepsStateAndPort_AndCutsWatches()
    {
        var created = await _http.CreateAsync(ConfigMaps, ConfigMap("survivor"));
        var url = _emulator.Url;
        await using var watch = await WatchStream.OpenAsync(_http.Client, $"{ConfigMaps}?watch=1&resourceVersion={Rv(created)}");
        await Eventually.TrueAsync(() => _emulator.WatchConnections == 1, Deadline, "the watch to be open");

        await _emulator.RestartAsync();
        Assert.Equal(url, _emulator.Url);
        await Assert.ThrowsAnyAsync<Exception>(() => watch.Ended.WaitAsync(Deadline));
        using var fresh = new KubeHttp(_emulator.Url);
        var (status, survivor) = await fresh.GetAsync($"{ConfigMaps}/survivor");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(Rv(created), Rv(survivor));

        await using var resumed = await WatchStream.OpenAsync(fresh.Client, $"{ConfigMaps}?watch=1&resourceVersion={Rv(created)}");
        await fresh.CreateAsync(ConfigMaps, ConfigMap("after-restart"));
        Assert.Equal("after-restart", Name((await resumed.NextAsync())["object"]!));
    }

    [Fact]
    public async Task ManyWatches_OpenedAndClosed_LeaveNoConnections()
    {
        for (var i = 0; i < 50; i++)
        {
            await using var watch = await WatchStream.OpenAsync(_http.Client, $"{ConfigMaps}?watch=1");
        }

        await Eventually.TrueAsync(() => _emulator.WatchConnections == 0, Deadline, "every closed watch to be released");
    }
}
