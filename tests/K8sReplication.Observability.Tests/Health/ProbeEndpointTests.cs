using System.Net;
using K8sReplication.Observability.Health;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace K8sReplication.Observability.Tests.Health;

/// <summary>Component test: probes served by a real Kestrel server on 127.0.0.1:0.</summary>
public sealed class ProbeEndpointTests
{
    [Fact]
    public async Task Probe_Returns200WhenHealthyAnd503WithTheReasonWhenNot()
    {
        var ready = false;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.MapProbe("/livez", () => ProbeResult.Healthy());
        app.MapProbe("/readyz", () => ready ? ProbeResult.Healthy("ready") : ProbeResult.Unhealthy("catching up with 2 peers"));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        using var client = new HttpClient { BaseAddress = new Uri(address) };

        using var live = await client.GetAsync(new Uri("/livez", UriKind.Relative));
        using var notReady = await client.GetAsync(new Uri("/readyz", UriKind.Relative));
        ready = true;
        using var nowReady = await client.GetAsync(new Uri("/readyz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Equal("catching up with 2 peers\n", await notReady.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, nowReady.StatusCode);
        Assert.Equal("ready\n", await nowReady.Content.ReadAsStringAsync());
        Assert.Equal("no-store", nowReady.Headers.CacheControl?.ToString());
    }
}
