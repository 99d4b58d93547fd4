using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace K8sReplication.TestKit.Tests.Admission;

/// <summary>
/// A real HTTPS admission webhook on 127.0.0.1:0: every POST is recorded (path, query, AdmissionReview) and answered by
/// the handler registered for its path; an unknown path allows without a patch.
/// </summary>
internal sealed class WebhookServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Func<JsonObject, CancellationToken, Task<JsonObject>>> _handlers = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ReceivedReview> _received = new();

    private WebhookServer(WebApplication app)
    {
        _app = app;
    }

    public int Port { get; private set; }

    public IReadOnlyList<ReceivedReview> Received => [.. _received];

    public static async Task<WebhookServer> StartAsync(X509Certificate2 certificate)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        var server = new WebhookServer(app);
        app.Run(server.ServeAsync);
        await app.StartAsync();
        server.Port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        return server;
    }

    public string Url(string path) => $"https://127.0.0.1:{Port}{path}";

    public void Handle(string path, Func<JsonObject, CancellationToken, Task<JsonObject>> handler) => _handlers[path] = handler;

    public void Handle(string path, Func<JsonObject, JsonObject> handler) => _handlers[path] = (review, _) => Task.FromResult(handler(review));

    public IReadOnlyList<ReceivedReview> ReceivedAt(string path) => [.. _received.Where(r => r.Path == path)];

    /// <summary>A v1 response allowing the request, echoing its uid.</summary>
    public static JsonObject Allow(JsonObject review) => Response(review, new JsonObject { ["allowed"] = true });

    /// <summary>A v1 response allowing the request with an RFC 6902 patch.</summary>
    public static JsonObject Patch(JsonObject review, JsonArray operations) => Response(review, new JsonObject
    {
        ["allowed"] = true,
        ["patchType"] = "JSONPatch",
        ["patch"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(operations.ToJsonString())),
    });

    public static JsonObject Deny(JsonObject review, string message, int code) => Response(review, new JsonObject
    {
        ["allowed"] = false,
        ["status"] = new JsonObject { ["message"] = message, ["code"] = code },
    });

    public static JsonObject Response(JsonObject review, JsonObject response)
    {
        response["uid"] = review["request"]!["uid"]!.DeepClone();
        return new JsonObject { ["apiVersion"] = "admission.k8s.io/v1", ["kind"] = "AdmissionReview", ["response"] = response };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task ServeAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var review = JsonNode.Parse(await reader.ReadToEndAsync(context.RequestAborted))!.AsObject();
        var path = context.Request.Path.Value ?? "/";
        _received.Enqueue(new ReceivedReview(path, context.Request.QueryString.Value ?? "", review));
        var handler = _handlers.TryGetValue(path, out var registered) ? registered : (r, _) => Task.FromResult(Allow(r));
        var answer = await handler(review, context.RequestAborted);
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer.ToJsonString(), context.RequestAborted);
    }
}

internal sealed record ReceivedReview(string Path, string Query, JsonObject Review)
{
    public JsonObject Request => Review["request"]!.AsObject();
}
