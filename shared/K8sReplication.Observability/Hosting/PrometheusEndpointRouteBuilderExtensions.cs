using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;

namespace K8sReplication.Observability.Hosting;

/// <summary>Maps the Prometheus scrape endpoint.</summary>
public static class PrometheusEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves <c>GET {pattern}</c> with prometheus-net's exporter over the registry of
    /// <see cref="PrometheusServiceCollectionExtensions.AddPrometheusMetrics"/>: the text format 0.0.4, or OpenMetrics
    /// when the scraper asks for it (<c>Accept: application/openmetrics-text</c>). Gauges read from state are refreshed
    /// by the registry's before-collect callbacks, so every scrape shows current values.
    /// </summary>
    public static IEndpointConventionBuilder MapPrometheusMetrics(this IEndpointRouteBuilder endpoints, string pattern = "/metrics")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var registry = endpoints.ServiceProvider.GetService<CollectorRegistry>()
            ?? throw new InvalidOperationException(
                $"{nameof(MapPrometheusMetrics)} needs services.{nameof(PrometheusServiceCollectionExtensions.AddPrometheusMetrics)}() to be called first.");
        var exporter = new MetricServerMiddleware(static _ => Task.CompletedTask, new MetricServerMiddleware.Settings { Registry = registry });

        return endpoints.MapGet(pattern, context =>
        {
            context.Response.Headers.CacheControl = "no-store";
            return exporter.Invoke(context);
        });
    }
}
