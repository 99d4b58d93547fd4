using k8s;
using k8s.Models;
using K8sReplication.Kube.Client;
using K8sReplication.Kube.Resources;
using K8sReplication.Kube.Tests.Support;
using K8sReplication.Kube.Watch;
using K8sReplication.TestKit;
using Microsoft.AspNetCore.Http;

namespace K8sReplication.Kube.Tests.Watch;

/// <summary>Watch behaviour against a raw server that misbehaves on purpose.</summary>
public sealed class WatchFailureModeTests : IAsyncLifetime
{
    private RawServer _server = null!;

    public async Task InitializeAsync() => _server = await RawServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static readonly WatchOptions Quick = Clients.Watch(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

    [Fact]
    public async Task SilentServer_EndsTheWatchWithStalledException_AndClosesTheConnection()
    {
        _server.Handler = async ctx =>
        {
            ctx.Response.ContentType = "application/json";
            await ctx.Response.Body.FlushAsync(); // headers only, then silence
            await Task.Delay(Timeout.Infinite, ctx.RequestAborted);
        };
        using var client = Clients.For(_server.Url);

        var ex = await Assert.ThrowsAsync<WatchStalledException>(async () =>
        {
            await foreach (var _ in client.WatchOnceAsync(KubeResources.ConfigMaps, "default", "1", Quick))
            {
            }
        });
        Assert.True(ex.IsTransient);
        Assert.Contains("no data for 1s", ex.Message);
        await Eventually.TrueAsync(() => _server.Active == 0, TimeSpan.FromSeconds(10), "server sees the stalled watch closed");
    }

    [Fact]
    public async Task TrickleOfBookmarks_KeepsTheWatchAlive()
    {
        _server.Handler = async ctx =>
        {
            for (var i = 0; i < 6; i++)
            {
                await RawServer.WriteLineAsync(ctx, RawServer.Bookmark((10 + i).ToString()));
                await Task.Delay(300, ctx.RequestAborted);
            }
        };
        using var client = Clients.For(_server.Url);
        var events = new List<WatchEvent<V1ConfigMap>>();
        await foreach (var ev in client.WatchOnceAsync(KubeResources.ConfigMaps, "default", "1", Quick))
        {
            events.Add(ev);
        }

        Assert.Equal(6, events.Count); // 1.8s in total but never 1s of silence
        Assert.All(events, e => Assert.Equal(WatchEventType.Bookmark, e.Type));
    }

    [Fact]
    public async Task StreamCutMidLine_IsATransientFailure_AndTheResumingWatchContinuesFromTheLastVersion()
    {
        var connection = 0;
        var cut = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _server.Handler = async ctx =>
        {
            var n = Interlocked.Increment(ref connection);
            if (n == 1)
            {
                await RawServer.WriteLineAsync(ctx, RawServer.ConfigMapEvent("ADDED", "a", "5"));
                await RawServer.WriteLineAsync(ctx, RawServer.Bookmark("8"));
                await ctx.Response.WriteAsync("{\"type\":\"MODIFIED\",\"obj");
                await ctx.Response.Body.FlushAsync();

                // Cut only once the client has consumed the complete events (a reset discards unread socket data).
                await cut.Task;
                ctx.Abort();
                return;
            }

            await RawServer.WriteLineAsync(ctx, RawServer.ConfigMapEvent("MODIFIED", "a", "9"));
            await Task.Delay(Timeout.Infinite, ctx.RequestAborted);
        };
        using var client = Clients.For(_server.Url);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<string>();
        await foreach (var ev in client.WatchAsync(KubeResources.ConfigMaps, "default", "1", Quick, cancellationToken: cts.Token))
        {
            seen.Add($"{ev.Type}:{ev.ResourceVersion}");
            if (ev.ResourceVersion == "8")
            {
                cut.TrySetResult();
            }

            if (ev.ResourceVersion == "9")
            {
                break;
            }
        }

        Assert.Equal(["Added:5", "Bookmark:8", "Modified:9"], seen);
        var queries = _server.PathsAndQueries.ToArray();
        Assert.Contains("resourceVersion=1", queries[0]);
        Assert.Contains("resourceVersion=8", queries[1]); // resumed from the bookmark
        Assert.All(queries, q => Assert.Contains("allowWatchBookmarks=true", q));
        Assert.All(queries, q => Assert.Contains("timeoutSeconds=30", q));
        await Eventually.TrueAsync(() => _server.Active == 0, TimeSpan.FromSeconds(10), "watch connection closed after break");
    }

    [Fact]
    public async Task ServerTimeout_CleanEnd_ReconnectsFromLastVersion()
    {
        var connection = 0;
        _server.Handler = async ctx =>
        {
            var n = Interlocked.Increment(ref connection);
            await RawServer.WriteLineAsync(ctx, RawServer.ConfigMapEvent("ADDED", "x" + n, (100 + n).ToString()));
        };
        using var client = Clients.For(_server.Url);
        var seen = new List<string?>();
        await foreach (var ev in client.WatchAsync(KubeResources.ConfigMaps, "default", "100", Quick))
        {
            seen.Add(ev.ResourceVersion);
            if (seen.Count == 3)
            {
                break;
            }
        }

        Assert.Equal(["101", "102", "103"], seen);
        Assert.Contains("resourceVersion=102", _server.PathsAndQueries.ToArray()[2]);
    }

    [Fact]
    public async Task Gone_OnOpen_SurfacesResourceExpired_WithoutRetrying()
    {
        _server.Handler = async ctx =>
        {
            ctx.Response.StatusCode = 410;
            await ctx.Response.WriteAsync("""{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 1 (50)","reason":"Expired","code":410}""");
        };
        using var client = Clients.For(_server.Url);
        var ex = await Assert.ThrowsAsync<ResourceExpiredException>(async () =>
        {
            await foreach (var _ in client.WatchAsync(KubeResources.ConfigMaps, "default", "1", Quick))
            {
            }
        });
        Assert.Equal("Expired", ex.Status?.Reason);
        Assert.Equal(1, _server.Total);
    }

    [Fact]
    public async Task ErrorEvent410_MidStream_SurfacesResourceExpired()
    {
        _server.Handler = async ctx =>
        {
            await RawServer.WriteLineAsync(ctx, RawServer.ConfigMapEvent("ADDED", "a", "3"));
            await RawServer.WriteLineAsync(ctx, """{"type":"ERROR","object":{"kind":"Status","status":"Failure","reason":"Expired","code":410,"message":"too old"}}""");
            await Task.Delay(Timeout.Infinite, ctx.RequestAborted);
        };
        using var client = Clients.For(_server.Url);
        var seen = 0;
        await Assert.ThrowsAsync<ResourceExpiredException>(async () =>
        {
            await foreach (var _ in client.WatchAsync(KubeResources.ConfigMaps, "default", "1", Quick))
            {
                seen++;
            }
        });
        Assert.Equal(1, seen);
        await Eventually.TrueAsync(() => _server.Active == 0, TimeSpan.FromSeconds(10), "connection closed after 410");
    }

    [Fact]
    public async Task ServerUnreachable_ResumingWatchKeepsRetrying_UntilCancelled()
    {
        var url = _server.Url;
        await _server.DisposeAsync();
        using var client = Clients.For(url);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in client.WatchAsync(KubeResources.ConfigMaps, "default", "1", Quick, cancellationToken: cts.Token))
            {
            }
        });
        _server = await RawServer.StartAsync(); // for DisposeAsync
    }
}
