using System.Net;
using K8sReplication.Contracts;
using K8sReplication.Sidecar.Pull;
using K8sReplication.Sidecar.Security;
using K8sReplication.Sidecar.Tests.Integration;
using K8sReplication.TestKit.Tls;
using Microsoft.Extensions.Logging.Abstractions;

namespace K8sReplication.Sidecar.Tests.Pull;

/// <summary>The peer client's TLS against a real mutual-TLS sidecar: its certificate and trust follow the rotated files.</summary>
public sealed class PeerHttpTests : IDisposable
{
    private readonly TlsTestSetup _setup = new();

    private TestCertificateAuthority Ca => _setup.Ca;

    private TestCertificateAuthority OtherCa => _setup.OtherCa;

    public void Dispose() => _setup.Dispose();

    [Fact]
    public async Task AfterARotation_NewRequestsHandshakeWithTheNewCertificateAndTrust()
    {
        await using var mesh = await TestMesh.StartAsync(1, token: null, flags: (name, folder) => Ca.SidecarFlags(folder, name));
        var schema = new Uri(mesh[0].ReplicationUrl, Paths.Schema);
        var own = new SecretVolume(Path.Combine(mesh[0].Database.Folder, "client-tls"));
        using var first = Ca.Issue("client");
        own.Write(first, Ca);
        using var reloader = new CertificateReloader(TlsMaterial.Load(own.CertFile, own.KeyFile, own.CaFile), own.CertFile, own.KeyFile, own.CaFile,
            TimeProvider.System, NullLogger<CertificateReloader>.Instance);
        using var http = new PeerHttp(reloader, TimeProvider.System);

        var before = http.Client;
        using (var ok = await before.GetAsync(schema))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        // The client's own certificate moves to a CA the member does not trust: the next handshake presents it and is refused.
        using var foreign = OtherCa.Issue("client");
        own.Write(foreign, Ca);
        reloader.Poll();
        Assert.NotSame(before, http.Client);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.Client.GetAsync(schema));

        // The client's trust moves to the other CA only: the member's certificate is refused by the client.
        using var back = Ca.Issue("client");
        own.Write(back, OtherCa);
        reloader.Poll();
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.Client.GetAsync(schema));

        own.Write(back, Ca, OtherCa);
        reloader.Poll();
        using (var ok = await http.Client.GetAsync(schema))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        Assert.Equal(3, reloader.Reloads);
    }

    [Fact]
    public void WithoutTls_OneClientForTheProcessLife()
    {
        using var http = new PeerHttp(null, TimeProvider.System);
        Assert.Same(http.Client, http.Client);
    }
}
