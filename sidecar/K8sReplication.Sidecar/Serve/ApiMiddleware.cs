using K8sReplication.Contracts;
using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Security;

namespace K8sReplication.Sidecar.Serve;

/// <summary>
/// Front of every request: keeps replication endpoints on the replication port and admin endpoints on the admin
/// port (one Kestrel host, two listeners), authenticates the replication port, and turns refusals into JSON errors
/// so bad input never takes the process down. With mutual TLS the replication port also serves the authenticated
/// admin endpoints (<see cref="IsGuardedAdminPath"/>), for callers that hold a client certificate instead of the token,
/// and there the verified client certificate is the credential (the handshake refused every other connection).
/// </summary>
internal sealed partial class ApiMiddleware(RequestDelegate next, BearerTokenAuthenticator auth, ListenerPorts ports, ILogger<ApiMiddleware> logger)
{
    public const string TokenRequired = "a valid bearer token (or " + BearerTokenAuthenticator.TokenHeader + " header) is required";

    public static bool IsReplicationPath(PathString path) =>
        path.StartsWithSegments(Paths.Changes) || path.StartsWithSegments(Paths.Merkle)
        || path.StartsWithSegments(Paths.Rows) || path.StartsWithSegments(Paths.Schema);

    /// <summary>The admin endpoints that need a credential: they change the config or return row data.</summary>
    public static bool IsGuardedAdminPath(PathString path) =>
        path.StartsWithSegments(Paths.Config) || path.StartsWithSegments(Paths.Conflicts) || path.StartsWithSegments(Paths.AntiEntropy);

    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            var path = context.Request.Path;
            var onReplicationPort = context.Connection.LocalPort == ports.Replication;
            var servedHere = onReplicationPort
                ? IsReplicationPath(path) || (ports.ReplicationTls && IsGuardedAdminPath(path))
                : !IsReplicationPath(path);
            if (!servedHere)
            {
                throw new BadRequestException(null, $"no endpoint {InputQuote.Quote(path.Value)} on this port", StatusCodes.Status404NotFound);
            }

            if (onReplicationPort && !(ports.ReplicationTls ? context.Connection.ClientCertificate is not null : auth.IsAuthorized(context.Request.Headers)))
            {
                throw new BadRequestException("Authorization", TokenRequired, StatusCodes.Status401Unauthorized);
            }

            await next(context);
        }
        catch (BadRequestException e) when (!context.Response.HasStarted)
        {
            await ApiResponses.ErrorAsync(context, e.Status, e.Message, e.Field);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            await ApiResponses.ErrorAsync(context, e.StatusCode, e.Message);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away (a peer cut during a long-poll); nothing to answer.
        }
        catch (Exception e) when (!context.Response.HasStarted && e is not OperationCanceledException)
        {
            LogUnhandled(logger, InputQuote.Clean(context.Request.Path.Value ?? "", InputQuote.MaxQuotedChars), e);
            await ApiResponses.ErrorAsync(context, StatusCodes.Status500InternalServerError, "internal error: " + e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Request {Path} failed")]
    private static partial void LogUnhandled(ILogger logger, string path, Exception exception);
}
