using System.Collections.Concurrent;
using K8sReplication.TestKit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace K8sReplication.Operator.Tests.Integration;

/// <summary>
/// A member pod's ports served by a real Kestrel server on 127.0.0.1:0 that records every request (method, path and
/// Authorization header) and answers 401: it shows exactly what the operator sent to a pod, token included.
/// </summary>
internal sealed class RecordingMember : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedCall> _calls;

    private RecordingMember(WebApplication app, ConcurrentQueue<RecordedCall> calls, int port)
    {
        _app = app;
        _calls = calls;
        Port = port;
    }

    public int Port { get; }

    public IReadOnlyList<RecordedCall> Calls => [.. _calls];

    public static async Task<RecordingMember> StartAsync()
    {
        var calls = new ConcurrentQueue<RecordedCall>();
        var (app, port) = await LoopbackServer.StartAsync(web => web.Run(context =>
        {
            calls.Enqueue(new RecordedCall(context.Request.Method, context.Request.Path.Value ?? "", context.Request.Headers.Authorization.ToString()));
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        }));
        return new RecordingMember(app, calls, port);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    internal sealed record RecordedCall(string Method, string Path, string Authorization);
}
