using K8sReplication.Observability.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;

namespace K8sReplication.Observability.Hosting;

/// <summary>Registers the process's metric registry in a service collection.</summary>
public static class PrometheusServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="PrometheusMetricFactory"/> (and its <see cref="CollectorRegistry"/>) as singletons: a
    /// registry of this container's own, without prometheus-net's default collectors, carrying the
    /// <see cref="ProcessMetrics"/>. Two hosts in one process (tests) never mix their metrics.
    /// </summary>
    public static IServiceCollection AddPrometheusMetrics(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(_ =>
        {
            var factory = new PrometheusMetricFactory(Prometheus.Metrics.NewCustomRegistry());
            ProcessMetrics.Register(factory);
            return factory;
        });
        services.AddSingleton(provider => provider.GetRequiredService<PrometheusMetricFactory>().Registry);
        return services;
    }
}
