using System.Collections.Concurrent;
using System.Text.Json;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Config;
using K8sReplication.Contracts.Health;
using K8sReplication.Contracts.Json;
using K8sReplication.TestKit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace K8sReplication.Operator.Tests.Integration;

/// <summary>
/// A member pod's admin API served by a real Kestrel server on 127.0.0.1:0 whose health the test scripts: it keeps
/// every config pushed to it (the generation and mesh of the last one show in its health, as a sidecar's would) and
/// reports whatever <see cref="Backup"/> the test sets, so the operator can be driven through backup states a real
/// archive would take minutes to reach.
/// </summary>
internal sealed class ScriptedMember : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<SidecarConfig> _pushes;
    private volatile BackupHealth? _backup;

    private ScriptedMember(WebApplication app, ConcurrentQueue<SidecarConfig> pushes, int port)
    {
        _app = app;
        _pushes = pushes;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Every config pushed, oldest first, as received (credentials included).</summary>
    public IReadOnlyList<SidecarConfig> Pushes => [.. _pushes];

    /// <summary>The <c>backup</c> the member reports in its status; null reports none.</summary>
    public BackupHealth? Backup
    {
        get => _backup;
        set => _backup = value;
    }

    public static async Task<ScriptedMember> StartAsync(string pod)
    {
        var pushes = new ConcurrentQueue<SidecarConfig>();
        ScriptedMember? member = null;
        var (app, port) = await LoopbackServer.StartAsync(web =>
        {
            web.MapPut(Paths.Config, async context =>
            {
                var config = await JsonSerializer.DeserializeAsync(context.Request.Body, ContractsJsonContext.Default.SidecarConfig);
                pushes.Enqueue(config!);
                context.Response.StatusCode = StatusCodes.Status200OK;
            });
            web.MapGet(Paths.Status, context =>
            {
                var last = pushes.LastOrDefault();
                var health = new SidecarHealth
                {
                    State = EngineState.Running,
                    Ready = true,
                    Healthy = true,
                    AcceptingWrites = true,
                    SiteId = pod + "-site",
                    NodeName = pod,
                    Mesh = last?.Mesh,
                    ConfigGeneration = last?.Generation ?? 0,
                    MerkleRoot = "00",
                    InitialCatchUpDone = true,
                    Backup = member!.Backup,
                };
                return context.Response.WriteAsync(JsonSerializer.Serialize(health, ContractsJsonContext.Default.SidecarHealth));
            });
        });
        member = new ScriptedMember(app, pushes, port);
        return member;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
