using System.Diagnostics.Metrics;
using System.Net;
using K8sReplication.Observability.Hosting;
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
    private static async Task<WebApplication> StartAppAsync(string meterName)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddPrometheusExporter(options => options.MeterNames.Add(meterName));
        var app = builder.Build();
        app.MapPrometheusMetrics("/metrics");
        await app.StartAsync();
        return app;
    }

    private static Uri BaseAddress(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());

    [Fact]
    public async Task GetMetrics_Returns200WithTheExpositionContentTypeAndTheRecordedSeries()
    {
        var meterName = "Test.Endpoint." + Guid.NewGuid().ToString("N");
        await using var app = await StartAppAsync(meterName);
        var meter = app.Services.GetRequiredService<IMeterFactory>().Create(meterName);
        meter.CreateCounter<long>("replication.changes.applied", description: "Changes applied.")
            .Add(9, new KeyValuePair<string, object?>("peer", "node-a"));
        meter.CreateHistogram<double>("replication.batch.duration", "s").Record(0.02);
        using var client = new HttpClient { BaseAddress = BaseAddress(app) };

        using var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", Assert.Single(response.Content.Headers.GetValues("Content-Type")));
        Assert.Contains("# TYPE replication_changes_applied_total counter\n", body);
        Assert.Contains("replication_changes_applied_total{peer=\"node-a\"} 9\n", body);
        Assert.Contains("replication_batch_duration_seconds_count 1\n", body);
        Assert.Contains("# TYPE process_resident_memory_bytes gauge\n", body);
    }

    [Fact]
    public async Task TwoAppsInOneProcess_WithTheSameMeterName_DoNotMixTheirMetrics()
    {
        var meterName = "Test.Isolation." + Guid.NewGuid().ToString("N");
        await using var first = await StartAppAsync(meterName);
        await using var second = await StartAppAsync(meterName);
        first.Services.GetRequiredService<IMeterFactory>().Create(meterName).CreateCounter<long>("hits").Add(1);
        second.Services.GetRequiredService<IMeterFactory>().Create(meterName).CreateCounter<long>("hits").Add(10);
        using var client = new HttpClient();

        var firstBody = await client.GetStringAsync(new Uri(BaseAddress(first), "/metrics"));
        var secondBody = await client.GetStringAsync(new Uri(BaseAddress(second), "/metrics"));

        Assert.Contains("hits_total 1\n", firstBody);
        Assert.Contains("hits_total 10\n", secondBody);
        Assert.Single(firstBody.Split('\n'), l => l == "# TYPE process_cpu_seconds_total counter");
    }

    [Fact]
    public void MapPrometheusMetrics_WithoutTheExporterRegistered_FailsClearly()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapPrometheusMetrics());

        Assert.Contains("AddPrometheusExporter", error.Message, StringComparison.Ordinal);
    }
}
