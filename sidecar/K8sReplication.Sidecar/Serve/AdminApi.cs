using System.Text;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Json;
using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Engine;
using K8sReplication.Sidecar.Repair;
using K8sReplication.Sidecar.Security;

namespace K8sReplication.Sidecar.Serve;

/// <summary>
/// The admin port: probes, status, live config, the conflict log and anti-entropy requests (the last three
/// authenticated). Probes read published state only.
/// </summary>
internal static class AdminApi
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet(Paths.Livez, (RequestDelegate)(context => Text(context, StatusCodes.Status200OK, "ok")));
        routes.MapGet(Paths.Readyz, (RequestDelegate)ReadyAsync);
        routes.MapGet(Paths.Startupz, (RequestDelegate)StartupAsync);
        routes.MapGet(Paths.Status, (RequestDelegate)StatusAsync);
        routes.MapPut(Paths.Config, (RequestDelegate)PutConfigAsync);
        routes.MapGet(Paths.Conflicts, (RequestDelegate)ConflictLogEndpoint.HandleAsync);
        routes.MapPost(Paths.AntiEntropy, (RequestDelegate)RequestAntiEntropyAsync);
    }

    private static Task ReadyAsync(HttpContext context)
    {
        var health = context.RequestServices.GetRequiredService<HealthReporter>();
        return health.IsReady(out var reason)
            ? Text(context, StatusCodes.Status200OK, "ready")
            : Text(context, StatusCodes.Status503ServiceUnavailable, "not ready: " + reason);
    }

    private static Task StartupAsync(HttpContext context)
    {
        var health = context.RequestServices.GetRequiredService<HealthReporter>();
        return health.IsStarted
            ? Text(context, StatusCodes.Status200OK, "started")
            : Text(context, StatusCodes.Status503ServiceUnavailable, "starting");
    }

    private static Task StatusAsync(HttpContext context)
    {
        var health = context.RequestServices.GetRequiredService<HealthReporter>();
        return ApiResponses.JsonAsync(context, health.Build(), ContractsJsonContext.Default.SidecarHealth);
    }

    private static async Task PutConfigAsync(HttpContext context)
    {
        RequireToken(context);

        var body = await RequestInput.ReadBodyAsync(context);
        var config = context.RequestServices.GetRequiredService<LiveConfig>();
        Contracts.Config.SidecarConfig pushed;
        try
        {
            pushed = ConfigFileReader.Parse(Encoding.UTF8.GetString(body), "body");
        }
        catch (ConfigRejectedException e)
        {
            throw new BadRequestException(e.Errors[0].Key, e.Message);
        }

        switch (config.Push(pushed, out var errors))
        {
            case PushOutcome.StaleGeneration:
                throw new BadRequestException("generation", string.Join("; ", errors), StatusCodes.Status409Conflict);
            case PushOutcome.Invalid:
                throw new BadRequestException(errors[0].Key, string.Join("; ", errors));
            default:
                await ApiResponses.JsonAsync(context, context.RequestServices.GetRequiredService<HealthReporter>().Build(), ContractsJsonContext.Default.SidecarHealth);
                break;
        }
    }

    private static Task RequestAntiEntropyAsync(HttpContext context)
    {
        RequireToken(context);

        context.RequestServices.GetRequiredService<AntiEntropyTrigger>().RequestRound();
        return Text(context, StatusCodes.Status202Accepted, "anti-entropy round requested against every peer");
    }

    /// <summary>
    /// 401 unless the request is authenticated: on the mutual-TLS replication port by its client certificate (checked
    /// by the middleware), on the admin port by the mesh token. Without TLS and without a token file everything
    /// passes, as before any credential existed; with TLS the plain admin port never serves these without the token.
    /// </summary>
    public static void RequireToken(HttpContext context)
    {
        var services = context.RequestServices;
        var ports = services.GetRequiredService<ListenerPorts>();
        if (ports.ReplicationTls && context.Connection.LocalPort == ports.Replication)
        {
            return;
        }

        var auth = services.GetRequiredService<BearerTokenAuthenticator>();
        if (ports.ReplicationTls && !auth.Enabled)
        {
            throw new BadRequestException("Authorization", CredentialRequired, StatusCodes.Status401Unauthorized);
        }

        if (!auth.IsAuthorized(context.Request.Headers))
        {
            throw new BadRequestException("Authorization", ApiMiddleware.TokenRequired, StatusCodes.Status401Unauthorized);
        }
    }

    /// <summary>Why a guarded admin endpoint is refused on the plain admin port of a TLS member without a token file.</summary>
    public const string CredentialRequired =
        "this member uses mutual TLS and has no token file: call this endpoint on the replication port (https) with a client certificate from the CA";

    private static Task Text(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text + "\n", context.RequestAborted);
    }
}
