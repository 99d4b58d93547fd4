using K8sReplication.Contracts;
using K8sReplication.Observability.Hosting;

namespace K8sReplication.Sidecar.Metrics;

/// <summary>Prometheus exposition of the sidecar's metrics and process basics, on the admin port.</summary>
internal static class MetricsEndpoint
{
    public static void AddServices(IServiceCollection services) => services.AddPrometheusMetrics();

    public static void Map(IEndpointRouteBuilder routes) => routes.MapPrometheusMetrics(Paths.Metrics);
}
