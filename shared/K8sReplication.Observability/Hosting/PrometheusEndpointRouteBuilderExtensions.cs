using K8sReplication.Observability.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace K8sReplication.Observability.Hosting;

/// <summary>Maps the Prometheus scrape endpoint.</summary>
public static class PrometheusEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves <c>GET {pattern}</c> with the collector's text (<see cref="PrometheusMetricsCollector.ContentType"/>).
    /// Requires <see cref="PrometheusServiceCollectionExtensions.AddPrometheusExporter"/>. The collector
    /// is resolved here, at startup, so measurements recorded before the first scrape are not lost.
    /// </summary>
    public static IEndpointConventionBuilder MapPrometheusMetrics(this IEndpointRouteBuilder endpoints, string pattern = "/metrics")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var collector = endpoints.ServiceProvider.GetService<PrometheusMetricsCollector>()
            ?? throw new InvalidOperationException(
                $"{nameof(MapPrometheusMetrics)} needs services.{nameof(PrometheusServiceCollectionExtensions.AddPrometheusExporter)}() to be called first.");

        return endpoints.MapGet(pattern, async context =>
        {
            var text = collector.Scrape();
            context.Response.ContentType = PrometheusMetricsCollector.ContentType;
            context.Response.Headers.CacheControl = "no-store";
            await context.Response.WriteAsync(text, context.RequestAborted);
        });
    }
}
