using System.Net.Sockets;
using K8sReplication.Kube.Client;
using K8sReplication.Kube.Config;
using K8sReplication.Kube.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace K8sReplication.Kube.Tests.Client;

/// <summary>TLS trust, client certificates, timeouts and connection failures against a real Kestrel server.</summary>
public sealed class TransportTests
{
    private static async Task ServeConfigMap(HttpContext ctx)
    {
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"default"}}""");
    }

    [Fact]
    public async Task CustomCa_IsTrusted_AndClientCertificateIsPresented()
    {
        using var certs = new TestCertificates();
        await using var server = await RawServer.StartAsync(certs.Server, requireClientCertificate: true);
        server.Handler = ServeConfigMap;
        var url = new Uri($"https://127.0.0.1:{server.Url.Port}");
        var roots = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection(certs.Ca);
        using var client = new KubeClient(new KubeClientConfig { Server = url, CertificateAuthorities = roots, ClientCertificate = certs.Client },
            Clients.FastOptions);

        var cm = await client.GetAsync(ResourceTypes.ConfigMaps, "x");
        Assert.Equal("x", cm.Metadata.Name);
        Assert.True(server.ClientCertificates.TryPeek(out var presented));
        Assert.Equal(certs.Client.Thumbprint, presented!.Thumbprint);
    }

    [Fact]
    public async Task UntrustedServer_FailsWithAClearError_UnlessInsecureIsRequested()
    {
        using var certs = new TestCertificates();
        using var otherCa = new TestCertificates();
        await using var server = await RawServer.StartAsync(certs.Server);
        server.Handler = ServeConfigMap;
        var url = new Uri($"https://127.0.0.1:{server.Url.Port}");

        using var wrongCa = new KubeClient(new KubeClientConfig
        {
            Server = url,
            CertificateAuthorities = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection(otherCa.Ca),
        }, Clients.FastOptions with { Retry = new RetryPolicy { MaxAttempts = 1 } });
        var ex = await Assert.ThrowsAnyAsync<KubeApiException>(() => wrongCa.GetAsync(ResourceTypes.ConfigMaps, "x"));
        Assert.Equal(0, ex.StatusCode);
        Assert.Contains("cannot reach the API server", ex.Message);
        Assert.Equal(0, server.Total); // the TLS handshake failed before any request

        using var insecure = new KubeClient(new KubeClientConfig { Server = url, InsecureSkipTlsVerify = true }, Clients.FastOptions);
        Assert.Equal("x", (await insecure.GetAsync(ResourceTypes.ConfigMaps, "x")).Metadata.Name);
    }

    [Fact]
    public async Task SlowResponse_TimesOutAsTransient()
    {
        await using var server = await RawServer.StartAsync();
        server.Handler = ctx => Task.Delay(Timeout.Infinite, ctx.RequestAborted);
        using var client = Clients.For(server.Url, options: Clients.FastOptions with
        {
            RequestTimeout = TimeSpan.FromMilliseconds(500),
            Retry = new RetryPolicy { MaxAttempts = 2, InitialDelay = TimeSpan.FromMilliseconds(10) },
        });
        var ex = await Assert.ThrowsAnyAsync<KubeApiException>(() => client.GetAsync(ResourceTypes.ConfigMaps, "x"));
        Assert.True(ex.IsTransient);
        Assert.Contains("no complete response within 0.5s", ex.Message);
        Assert.Equal(2, server.Total); // reads are retried
        await K8sReplication.TestKit.Eventually.TrueAsync(() => server.Active == 0, TimeSpan.FromSeconds(10), "timed-out requests closed");
    }

    [Fact]
    public async Task ConnectionRefused_IsTransientAndMarkedNotProcessed_SoEvenWritesMayRetry()
    {
        int port;
        using (var probe = new TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }

        using var client = Clients.For(new Uri($"http://127.0.0.1:{port}"));
        var ex = await Assert.ThrowsAnyAsync<KubeApiException>(() =>
            client.CreateAsync(ResourceTypes.ConfigMaps, new Kube.Models.ConfigMap { Metadata = new() { Name = "x" } }));
        Assert.True(ex.NotProcessed);
        Assert.True(ex.IsTransient);
        Assert.IsType<HttpRequestException>(ex.InnerException);
    }

    [Fact]
    public async Task ServerErrorOnAWrite_IsNotRetried()
    {
        await using var server = await RawServer.StartAsync();
        server.Handler = ctx =>
        {
            ctx.Response.StatusCode = 503;
            return Task.CompletedTask;
        };
        using var client = Clients.For(server.Url);
        var ex = await Assert.ThrowsAnyAsync<KubeApiException>(() =>
            client.CreateAsync(ResourceTypes.ConfigMaps, new Kube.Models.ConfigMap { Metadata = new() { Name = "x" } }));
        Assert.Equal(503, ex.StatusCode);
        Assert.Equal(1, server.Total);
    }
}
