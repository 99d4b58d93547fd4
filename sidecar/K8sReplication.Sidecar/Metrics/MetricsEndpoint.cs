using K8sReplication.Contracts;
using K8sReplication.Observability.Hosting;

namespace K8sReplication.Sidecar.Metrics;

/// <summary>Prometheus exposition (text format 0.0.4) of the sidecar's meter and process basics, on the admin port.</summary>
internal static class MetricsEndpoint
{
    public static void AddServices(IServiceCollection services) =>
        services.AddPrometheusExporter(o => o.MeterNames.Add(SidecarMetrics.MeterName));

    public static void Map(IEndpointRouteBuilder routes) => routes.MapPrometheusMetrics(Paths.Metrics);
}
