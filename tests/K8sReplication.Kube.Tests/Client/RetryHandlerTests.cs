using System.Collections.Concurrent;
using System.Diagnostics;
using k8s;
using k8s.Autorest;
using K8sReplication.Kube.Client;
using K8sReplication.Kube.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace K8sReplication.Kube.Tests.Client;

/// <summary>The retries in front of the official client, against a real server that throttles and fails on purpose.</summary>
public sealed class RetryHandlerTests : IAsyncLifetime
{
    private const string ConfigMap = """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"default"}}""";
    private RawServer _server = null!;
    private readonly ConcurrentQueue<(string Method, long At)> _seen = new();

    public async Task InitializeAsync() => _server = await RawServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task Answer(HttpContext ctx, int status, string body, string? retryAfter = null)
    {
        _seen.Enqueue((ctx.Request.Method, Stopwatch.GetTimestamp()));
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        if (retryAfter is not null)
        {
            ctx.Response.Headers.RetryAfter = retryAfter;
        }

        await ctx.Response.WriteAsync(body);
    }

    private static string Throttled(int retryAfterSeconds) =>
        """{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"TooManyRequests","code":429,"details":{"retryAfterSeconds":"""
        + retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}}";

    [Fact]
    public async Task Throttled_IsRetriedAfterTheServersRetryAfterHeader()
    {
        var calls = 0;
        _server.Handler = ctx => Interlocked.Increment(ref calls) == 1 ? Answer(ctx, 429, Throttled(1), retryAfter: "1") : Answer(ctx, 200, ConfigMap);
        using var connection = Clients.For(_server.Url);

        var read = await connection.Client.CoreV1.ReadNamespacedConfigMapAsync("x", "default");

        Assert.Equal("x", read.Metadata.Name);
        var times = _seen.Select(s => s.At).ToArray();
        Assert.Equal(2, times.Length);
        Assert.True(Stopwatch.GetElapsedTime(times[0], times[1]) >= TimeSpan.FromSeconds(0.95),
            $"waited {Stopwatch.GetElapsedTime(times[0], times[1])}, not the 1s the server asked for (our own backoff is at most 200ms)");
    }

    [Fact]
    public async Task Throttled_HonoursRetryAfterSecondsInTheStatusBody_EvenForAWrite()
    {
        var calls = 0;
        _server.Handler = ctx => Interlocked.Increment(ref calls) == 1 ? Answer(ctx, 429, Throttled(1)) : Answer(ctx, 201, ConfigMap);
        using var connection = Clients.For(_server.Url);

        await connection.Client.CoreV1.CreateNamespacedConfigMapAsync(new k8s.Models.V1ConfigMap { Metadata = new() { Name = "x" } }, "default");

        var seen = _seen.ToArray();
        Assert.Equal(["POST", "POST"], seen.Select(s => s.Method));
        Assert.True(Stopwatch.GetElapsedTime(seen[0].At, seen[1].At) >= TimeSpan.FromSeconds(0.95), "the write waited for retryAfterSeconds");
    }

    [Fact]
    public async Task ServerError_RetriesReadsWithBackoff_ButNeverAWriteTheServerMayHaveDone()
    {
        _server.Handler = ctx => Answer(ctx, 503, """{"kind":"Status","status":"Failure","reason":"ServiceUnavailable","code":503}""");
        using var connection = Clients.For(_server.Url);

        var read = await Assert.ThrowsAsync<HttpOperationException>(() => connection.Client.CoreV1.ReadNamespacedConfigMapAsync("x", "default"));
        Assert.Equal(503, read.StatusCode());
        Assert.Equal(Clients.FastRetry.MaxAttempts, _server.Total);

        _server.Handler = ctx => Answer(ctx, 500, """{"kind":"Status","status":"Failure","reason":"InternalError","code":500}""");
        var before = _server.Total;
        var write = await Assert.ThrowsAsync<HttpOperationException>(() =>
            connection.Client.CoreV1.CreateNamespacedConfigMapAsync(new k8s.Models.V1ConfigMap { Metadata = new() { Name = "x" } }, "default"));
        Assert.Equal("InternalError", write.Status()?.Reason);
        Assert.Equal(before + 1, _server.Total);
    }

    [Fact]
    public async Task Conflict_IsNeverRetried()
    {
        _server.Handler = ctx => Answer(ctx, 409, """{"kind":"Status","status":"Failure","reason":"Conflict","code":409}""");
        using var connection = Clients.For(_server.Url);
        var ex = await Assert.ThrowsAsync<HttpOperationException>(() =>
            connection.Client.CoreV1.ReplaceNamespacedConfigMapAsync(new k8s.Models.V1ConfigMap { Metadata = new() { Name = "x" } }, "x", "default"));
        Assert.True(ex.IsConflict());
        Assert.Equal(1, _server.Total);
    }
}
