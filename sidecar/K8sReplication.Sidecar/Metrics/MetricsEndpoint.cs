namespace K8sReplication.Sidecar.Metrics;

/// <summary>
/// Maps <c>GET /metrics</c> on the admin port. The Prometheus exposition comes from the Observability project
/// (<c>MapPrometheusMetrics</c>); until it is merged the endpoint is not mapped.
/// </summary>
internal static class MetricsEndpoint
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        _ = routes;
    }
}
