using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Health;
using K8sReplication.Contracts.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace K8sReplication.Bench.Operator;

/// <summary>
/// Every simulated member behind one Kestrel listener: the admin API the operator calls (<c>PUT /v1/config</c>,
/// <c>GET /v1/status</c>) on 0.0.0.0 and one port. Each member has its own loopback address (Linux routes all of
/// 127.0.0.0/8 to lo) used as its pod IP, so the address a connection arrived on names the member.
/// </summary>
internal sealed class FakeSidecarServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, FakeMember> _byIp = new(StringComparer.Ordinal);
    private readonly string _bearer;
    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;
    private WebApplication? _app;

    private FakeSidecarServer(string token) => _bearer = "Bearer " + token;

    public int Port { get; private set; }

    public IReadOnlyCollection<FakeMember> Members => [.. _byIp.Values];

    /// <summary>Requests for an address no member has, or without the mesh token (should stay 0).</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    private long _rejected;

    public static async Task<FakeSidecarServer> StartAsync(string token)
    {
        var server = new FakeSidecarServer(token);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Any, 0));
        var app = builder.Build();
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Port = new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)).Port;
        server._app = app;
        return server;
    }

    public FakeMember Add(string mesh, string pod, string ip, string merkleRoot)
    {
        var member = new FakeMember(mesh, pod, ip, merkleRoot);
        if (!_byIp.TryAdd(ip, member))
        {
            throw new InvalidOperationException($"two members on {ip}");
        }

        return member;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var ip = context.Connection.LocalIpAddress is { } local
            ? (local.IsIPv4MappedToIPv6 ? local.MapToIPv4() : local).ToString()
            : "";
        if (!_byIp.TryGetValue(ip, out var member) || context.Request.Headers.Authorization.ToString() != _bearer)
        {
            Interlocked.Increment(ref _rejected);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        var path = context.Request.Path.Value;
        if (path == Paths.Config && HttpMethods.IsPut(context.Request.Method))
        {
            var config = await JsonSerializer.DeserializeAsync(context.Request.Body, ContractsJsonContext.Default.SidecarConfig, context.RequestAborted);
            var accepted = member.Apply(config?.Mesh, config?.Generation ?? 0, config?.Peers?.Count ?? 0);
            context.Response.StatusCode = accepted ? StatusCodes.Status200OK : StatusCodes.Status409Conflict;
            return;
        }

        if (path == Paths.Status && HttpMethods.IsGet(context.Request.Method))
        {
            member.CountStatusGet();
            context.Response.ContentType = "application/json";
            await JsonSerializer.SerializeAsync(context.Response.Body, Health(member), ContractsJsonContext.Default.SidecarHealth, context.RequestAborted);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status404NotFound;
    }

    private SidecarHealth Health(FakeMember m) => new()
    {
        State = EngineState.Running,
        Ready = true,
        Healthy = true,
        AcceptingWrites = true,
        InitialCatchUpDone = true,
        PeersConnected = m.PeersTotal,
        PeersTotal = m.PeersTotal,
        SiteId = m.SiteId,
        NodeName = m.Pod,
        Mesh = m.ConfiguredMesh,
        ConfigGeneration = m.Generation,
        MerkleRoot = m.MerkleRoot,
        DatabaseCircuit = CircuitState.Closed,
        StartedAt = _startedAt,
    };

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
