using System.Net;
using K8sReplication.Observability.Hosting;
using K8sReplication.Observability.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace K8sReplication.Observability.Tests.Hosting;

/// <summary>Component tests: a real Kestrel server on 127.0.0.1:0 serving the scrape endpoint.</summary>
public sealed class MetricsEndpointTests
{
    private static async Task<WebApplication> StartAppAsync(Action<PrometheusMetricFactory>? define = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddPrometheusMetrics();
        var app = builder.Build();
        define?.Invoke(app.Services.GetRequiredService<PrometheusMetricFactory>());
        app.MapPrometheusMetrics("/metrics");
        await app.StartAsync();
        return app;
    }

    private static Uri BaseAddress(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());

    private static void RecordBeforeTheFirstScrape(PrometheusMetricFactory factory)
    {
        factory.Counter("replication_changes_applied_total", "Changes applied.", "peer").WithLabels("node-a").Inc(9);
        factory.Histogram("replication_batch_duration_seconds", "Time.", HistogramBuckets.Seconds()).Observe(0.02);
    }

    [Fact]
    public async Task GetMetrics_Returns200WithTheTextFormat_AndValuesRecordedBeforeTheFirstScrape()
    {
        await using var app = await StartAppAsync(RecordBeforeTheFirstScrape);
        using var client = new HttpClient { BaseAddress = BaseAddress(app) };

        using var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", Assert.Single(response.Content.Headers.GetValues("Content-Type")));
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Contains("# TYPE replication_changes_applied_total counter\n", body);
        Assert.Contains("replication_changes_applied_total{peer=\"node-a\"} 9\n", body);
        Assert.Contains("replication_batch_duration_seconds_count 1\n", body);
        Assert.Contains("# TYPE process_resident_memory_bytes gauge\n", body);
        Assert.DoesNotContain("# EOF", body);
    }

    [Fact]
    public async Task GetMetrics_AskedForOpenMetrics_ServesOpenMetrics()
    {
        await using var app = await StartAppAsync(RecordBeforeTheFirstScrape);
        using var client = new HttpClient { BaseAddress = BaseAddress(app) };
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/metrics", UriKind.Relative));
        // What Prometheus sends when it prefers OpenMetrics.
        request.Headers.Accept.ParseAdd("application/openmetrics-text;version=1.0.0;q=0.5");
        request.Headers.Accept.ParseAdd("text/plain;version=0.0.4;q=0.3");

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/openmetrics-text", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("# TYPE replication_changes_applied counter\n", body);
        Assert.Contains("replication_changes_applied_total{peer=\"node-a\"} 9.0\n", body);
        Assert.Contains("replication_batch_duration_seconds_bucket{le=\"1.0\"} ", body);
        Assert.EndsWith("# EOF\n", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoAppsInOneProcess_DoNotMixTheirMetrics()
    {
        await using var first = await StartAppAsync(f => f.Counter("hits_total", "Hits.").Inc(1));
        await using var second = await StartAppAsync(f => f.Counter("hits_total", "Hits.").Inc(10));
        using var client = new HttpClient();

        var firstBody = await client.GetStringAsync(new Uri(BaseAddress(first), "/metrics"));
        var secondBody = await client.GetStringAsync(new Uri(BaseAddress(second), "/metrics"));

        Assert.Contains("hits_total 1\n", firstBody);
        Assert.Contains("hits_total 10\n", secondBody);
        Assert.Single(firstBody.Split('\n'), l => l == "# TYPE process_cpu_seconds_total counter");
    }

    [Fact]
    public void MapPrometheusMetrics_WithoutTheRegistry_FailsClearly()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapPrometheusMetrics());

        Assert.Contains("AddPrometheusMetrics", error.Message, StringComparison.Ordinal);
    }
}
