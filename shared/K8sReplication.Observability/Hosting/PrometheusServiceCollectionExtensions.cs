using System.Diagnostics.Metrics;
using K8sReplication.Observability.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace K8sReplication.Observability.Hosting;

/// <summary>Registers the Prometheus exporter in a service collection.</summary>
public static class PrometheusServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="PrometheusMetricsCollector"/> as a singleton listening to the meters named
    /// in <paramref name="configure"/> (and, unless turned off, <see cref="ProcessMetrics"/>). Meters
    /// created through this container's <see cref="IMeterFactory"/> are matched by name whatever
    /// their scope; meters of another container's factory are ignored unless
    /// <see cref="PrometheusExporterOptions.MeterScope"/> is set explicitly.
    /// </summary>
    public static IServiceCollection AddPrometheusExporter(this IServiceCollection services, Action<PrometheusExporterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddMetrics();
        services.AddSingleton<ProcessMetrics>();
        services.AddSingleton(provider =>
        {
            var options = new PrometheusExporterOptions();
            configure?.Invoke(options);
            var meterFactory = provider.GetRequiredService<IMeterFactory>();
            options.MeterScope ??= meterFactory;
            if (options.IncludeProcessMetrics)
            {
                options.MeterNames.Add(ProcessMetrics.MeterName);
            }

            var collector = new PrometheusMetricsCollector(options, provider.GetService<ILogger<PrometheusMetricsCollector>>());
            if (options.IncludeProcessMetrics)
            {
                // Created after the collector's listener started, so its instruments are published to it.
                provider.GetRequiredService<ProcessMetrics>();
            }

            return collector;
        });
        return services;
    }
}
