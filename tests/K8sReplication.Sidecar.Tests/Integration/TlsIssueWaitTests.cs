using System.Security.Cryptography;
using System.Text.Json;
using K8sReplication.Contracts.Json;
using K8sReplication.TestKit;
using K8sReplication.TestKit.Processes;
using K8sReplication.TestKit.Tls;

namespace K8sReplication.Sidecar.Tests.Integration;

/// <summary>
/// A new member's certificate reaches its Secret volume after the pod starts: the start waits while neither the
/// certificate nor its key exists, then serves with them, and reports what it loaded in <c>/v1/status</c>.
/// </summary>
public sealed class TlsIssueWaitTests : IDisposable
{
    private readonly TlsTestSetup _setup = new();

    public void Dispose() => _setup.Dispose();

    [Fact]
    public async Task CertificateNotIssuedYet_StartWaitsForIt_ThenServesAndReportsIt()
    {
        var volume = new SecretVolume(Path.Combine(_setup.Folder.Folder, "tls"));
        // The Secret holds the bundle but no entry for this member yet.
        volume.Write(new Dictionary<string, string> { [SecretVolume.CaKey] = _setup.Ca.CertificatePem });
        var db = Path.Combine(_setup.Folder.Folder, "n0.db");

        await using var sidecar = SidecarProcess.Begin(
            ["--database", db, "--node-name", "n0", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", .. volume.Flags], out var started);
        await Eventually.TrueAsync(() => sidecar.Stderr.Contains("waiting up to 5m for tls.certFile", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "the start waits for the certificate");
        Assert.False(sidecar.HasExited);
        Assert.False(File.Exists(db), "nothing started before the certificate came");

        using var leaf = _setup.Ca.Issue("n0");
        volume.Write(leaf, _setup.Ca);
        await started;

        Assert.Equal("https", sidecar.ReplicationUrl.Scheme);
        using var http = new HttpClient();
        var json = await http.GetStringAsync(new Uri(sidecar.AdminUrl, "/v1/status"));
        var tls = JsonSerializer.Deserialize(json, ContractsJsonContext.Default.SidecarHealth)!.Tls;
        Assert.NotNull(tls);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(leaf.RawData)), tls.CertificateFingerprint);
        Assert.Equal([Convert.ToHexStringLower(SHA256.HashData(_setup.Ca.Certificate.RawData))], tls.TrustedAuthorities);
    }

    [Fact]
    public async Task WithoutTls_StatusCarriesNoTlsBlock()
    {
        var db = Path.Combine(_setup.Folder.Folder, "plain.db");
        await using var sidecar = await SidecarProcess.StartAsync(["--database", db, "--node-name", "p0", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"]);

        using var http = new HttpClient();
        var health = JsonSerializer.Deserialize(await http.GetStringAsync(new Uri(sidecar.AdminUrl, "/v1/status")), ContractsJsonContext.Default.SidecarHealth)!;

        Assert.Null(health.Tls);
    }
}
