using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace K8sReplication.Observability.Health;

/// <summary>Maps kubelet probe endpoints (<c>/livez</c>, <c>/readyz</c>, <c>/startupz</c>, <c>/healthz</c>).</summary>
public static class ProbeEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves <c>GET {pattern}</c>: 200 when <paramref name="probe"/> reports healthy, else 503, with the
    /// reason as plain text. Probes must only read state the service loops publish — no I/O here,
    /// because the kubelet calls them often and with short timeouts.
    /// </summary>
    public static IEndpointConventionBuilder MapProbe(this IEndpointRouteBuilder endpoints, string pattern, Func<ProbeResult> probe)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(probe);
        return endpoints.MapGet(pattern, async context =>
        {
            var result = probe();
            context.Response.StatusCode = result.IsHealthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
            context.Response.ContentType = "text/plain; charset=utf-8";
            context.Response.Headers.CacheControl = "no-store";
            await context.Response.WriteAsync(result.Reason + "\n", context.RequestAborted);
        });
    }
}
