using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace K8sReplication.Kube.Tests.Support;

/// <summary>
/// A real Kestrel server on 127.0.0.1:0 whose behaviour each test scripts, including misbehaving on purpose
/// (hanging without bytes, cutting a stream mid-line, failing with chosen statuses). Counts in-flight requests so
/// tests can prove the client closes what it opens.
/// </summary>
public sealed class RawServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _active;
    private int _total;

    private RawServer(WebApplication app) => _app = app;

    public Func<HttpContext, Task> Handler { get; set; } = ctx => { ctx.Response.StatusCode = 404; return Task.CompletedTask; };

    public Uri Url { get; private set; } = null!;

    /// <summary>Requests currently being handled (a leaked client connection keeps its request in flight).</summary>
    public int Active => Volatile.Read(ref _active);

    public int Total => Volatile.Read(ref _total);

    public ConcurrentQueue<string> PathsAndQueries { get; } = new();

    public ConcurrentQueue<string?> Authorizations { get; } = new();

    public ConcurrentQueue<X509Certificate2?> ClientCertificates { get; } = new();

    public static async Task<RawServer> StartAsync(X509Certificate2? serverCertificate = null, bool requireClientCertificate = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, listen =>
        {
            if (serverCertificate is not null)
            {
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = serverCertificate,
                    ClientCertificateMode = requireClientCertificate ? ClientCertificateMode.RequireCertificate : ClientCertificateMode.NoCertificate,
                    ClientCertificateValidation = (_, _, _) => true,
                });
            }
        }));
        var app = builder.Build();
        var server = new RawServer(app);
        app.Run(async ctx =>
        {
            Interlocked.Increment(ref server._active);
            Interlocked.Increment(ref server._total);
            server.PathsAndQueries.Enqueue(ctx.Request.Path + ctx.Request.QueryString);
            server.Authorizations.Enqueue(ctx.Request.Headers.Authorization.ToString());
            server.ClientCertificates.Enqueue(ctx.Connection.ClientCertificate);
            try
            {
                await server.Handler(ctx);
            }
            catch (OperationCanceledException)
            {
                // the client went away
            }
            catch (IOException)
            {
            }
            finally
            {
                Interlocked.Decrement(ref server._active);
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Url = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return server;
    }

    /// <summary>Writes one NDJSON line and flushes it to the socket.</summary>
    public static async Task WriteLineAsync(HttpContext ctx, string json)
    {
        await ctx.Response.WriteAsync(json + "\n", ctx.RequestAborted);
        await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
    }

    public static string ConfigMapEvent(string type, string name, string rv) =>
        "{\"type\":\"" + type + "\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name
        + "\",\"namespace\":\"default\",\"resourceVersion\":\"" + rv + "\"}}}";

    public static string Bookmark(string rv) =>
        "{\"type\":\"BOOKMARK\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"resourceVersion\":\"" + rv + "\"}}}";

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
