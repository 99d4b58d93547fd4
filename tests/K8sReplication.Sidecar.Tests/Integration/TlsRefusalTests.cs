using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using K8sReplication.Contracts;
using K8sReplication.TestKit;
using K8sReplication.TestKit.Processes;
using K8sReplication.TestKit.Sqlite;
using K8sReplication.TestKit.Tls;

namespace K8sReplication.Sidecar.Tests.Integration;

/// <summary>
/// Mutual TLS on real sidecar processes, with certificates made in the test: unusable TLS files stop the start naming
/// the key; the replication port refuses plain HTTP, a missing client certificate, one from another CA and an expired
/// one; a member refuses a peer whose certificate is expired or from another CA, and takes the peer's fixed
/// certificate without a restart; the guarded admin endpoints need the token or a client certificate.
/// </summary>
public sealed class TlsRefusalTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TlsTestSetup _setup = new();

    private TestCertificateAuthority Ca => _setup.Ca;

    private TestCertificateAuthority OtherCa => _setup.OtherCa;

    private TempDatabase Folder => _setup.Folder;

    public void Dispose() => _setup.Dispose();

    public static TheoryData<string, string, string> BadStarts() => new()
    {
        { "missing-cert", "tls.certFile", "does not exist" },
        { "missing-key", "tls.keyFile", "does not exist" },
        { "key-of-another-certificate", "tls.keyFile", "is not the private key of the certificate" },
        { "ca-without-certificates", "tls.caFile", "holds no PEM certificate" },
        { "cert-only", "tls.keyFile", "is required when tls.certFile is set" },
        { "key-only", "tls.certFile", "is required when tls.keyFile is set" },
        { "cert-and-key-without-ca", "tls.caFile", "is required when tls.certFile and tls.keyFile are set" },
    };

    [Theory]
    [MemberData(nameof(BadStarts))]
    public async Task UnusableTlsFiles_StopTheStart_NamingTheKeyAndFlag_AndChangeNothing(string what, string key, string message)
    {
        var volume = new SecretVolume(Path.Combine(Folder.Folder, what));
        using var leaf = Ca.Issue("n0");
        using var other = Ca.Issue("n1");
        volume.Write(leaf, Ca);
        string[] tls = what switch
        {
            "missing-cert" => ["--tls-cert", Path.Combine(volume.Folder, "nope.crt"), "--tls-key", volume.KeyFile, "--tls-ca", volume.CaFile],
            "missing-key" => ["--tls-cert", volume.CertFile, "--tls-key", Path.Combine(volume.Folder, "nope.key"), "--tls-ca", volume.CaFile],
            "cert-only" => ["--tls-cert", volume.CertFile],
            "key-only" => ["--tls-key", volume.KeyFile],
            "cert-and-key-without-ca" => ["--tls-cert", volume.CertFile, "--tls-key", volume.KeyFile],
            _ => [.. volume.Flags],
        };
        if (what == "key-of-another-certificate")
        {
            volume.Write(new Dictionary<string, string> { [SecretVolume.KeyKey] = TestCertificateAuthority.KeyPemOf(other) });
        }
        else if (what == "ca-without-certificates")
        {
            volume.Write(new Dictionary<string, string> { [SecretVolume.CaKey] = TestCertificateAuthority.KeyPemOf(other) });
        }

        var db = Path.Combine(Folder.Folder, what + ".db");
        var exit = await SidecarProcess.RunToExitAsync(["--database", db, "--node-name", "n0", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", .. tls]);

        Assert.Equal(2, exit.ExitCode);
        Assert.Contains($"invalid configuration: {key}: ", exit.Stderr, StringComparison.Ordinal);
        Assert.Contains(message, exit.Stderr, StringComparison.Ordinal);
        Assert.Contains(key switch { "tls.certFile" => "--tls-cert", "tls.keyFile" => "--tls-key", _ => "--tls-ca" }, exit.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("listening", exit.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(db), "the database was not created or touched");
    }

    [Fact]
    public async Task OnlyTheCertificateInTheEnvironment_StopsTheStart_NamingTheMissingKeys()
    {
        var volume = new SecretVolume(Path.Combine(Folder.Folder, "env"));
        using var leaf = Ca.Issue("n0");
        volume.Write(leaf, Ca);

        var exit = await SidecarProcess.RunToExitAsync(["--database", Path.Combine(Folder.Folder, "env.db"), "--node-name", "n0"],
            new Dictionary<string, string> { [EnvVars.TlsCert] = volume.CertFile });

        Assert.Equal(2, exit.ExitCode);
        Assert.Contains("tls.keyFile: is required when tls.certFile is set (set it with --tls-key, K8SREPL_TLS_KEY)", exit.Stderr, StringComparison.Ordinal);
        Assert.Contains("tls.caFile: is required when tls.certFile is set (set it with --tls-ca, K8SREPL_TLS_CA)", exit.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReplicationPort_ServesOnlyMutualTls_WithAClientCertificateFromTheCa()
    {
        await using var mesh = await StartAsync(1, token: null);
        var node = mesh[0];
        Assert.Equal("https", node.ReplicationUrl.Scheme);
        Assert.Equal("http", node.Process.AdminUrl.Scheme);
        using var good = Ca.Issue("client");
        using var foreign = OtherCa.Issue("client");
        using var expired = Ca.IssueExpired("client");
        var schema = new Uri(node.ReplicationUrl, Paths.Schema);

        X509Certificate2? served = null;
        using (var client = TlsTestClient.Create(good, Ca, c => served = c))
        {
            using var ok = await client.GetAsync(schema);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Contains("\"tables\"", await ok.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal("CN=n0", served!.Subject);

        // Plain HTTP to the TLS port: the listener expects a TLS handshake and never answers HTTP.
        using (var plain = new HttpClient { Timeout = Timeout })
        {
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetAsync(new UriBuilder(schema) { Scheme = "http" }.Uri));
        }

        foreach (var (certificate, what) in new[] { ((X509Certificate2?)null, "no client certificate"), (foreign, "another CA"), (expired, "expired") })
        {
            using var client = TlsTestClient.Create(certificate, Ca);
            var refused = await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.GetAsync(schema));
            Assert.True(refused is not null, what);
        }

        // The refusals changed nothing, and the member still serves a good client.
        using (var again = TlsTestClient.Create(good, Ca))
        {
            using var ok = await again.GetAsync(schema);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
    }

    [Fact]
    public async Task GuardedAdminEndpoints_NeedTheTokenOrAClientCertificate_ProbesStatusAndMetricsStayPlain()
    {
        await using var tokenless = await StartAsync(1, token: null);
        var node = tokenless[0];
        using var good = Ca.Issue("operator");
        using var client = TlsTestClient.Create(good, Ca);
        var push = "{\"generation\":7,\"paused\":true}";

        // Plain admin port of a TLS member without a token file: closed, pointing at the certificate.
        using (var put = await node.SendAsync(HttpMethod.Put, node.Process.AdminUrl, Paths.Config, push))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, put.StatusCode);
            Assert.Contains("client certificate", await put.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var conflicts = await node.GetAdminAsync(Paths.Conflicts))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, conflicts.StatusCode);
        }

        using (var antiEntropy = await node.SendAsync(HttpMethod.Post, node.Process.AdminUrl, Paths.AntiEntropy))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, antiEntropy.StatusCode);
        }

        Assert.Equal(0, (await node.StatusAsync()).ConfigGeneration);

        // The same endpoints on the TLS port, authenticated by the client certificate.
        using (var put = await client.PutAsync(new Uri(node.ReplicationUrl, Paths.Config), new StringContent(push, Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        Assert.Equal(7, (await node.StatusAsync()).ConfigGeneration);
        using (var conflicts = await client.GetAsync(new Uri(node.ReplicationUrl, Paths.Conflicts)))
        {
            Assert.Equal(HttpStatusCode.OK, conflicts.StatusCode);
            Assert.Contains("\"conflicts\"", await conflicts.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Status, probes and metrics are not served on the TLS port, and stay plain on the admin port.
        using (var status = await client.GetAsync(new Uri(node.ReplicationUrl, Paths.Status)))
        {
            Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        }

        foreach (var path in new[] { Paths.Livez, Paths.Startupz, Paths.Status, Paths.Metrics })
        {
            using var open = await node.GetAdminAsync(path);
            Assert.True(open.StatusCode == HttpStatusCode.OK, $"{path}: {open.StatusCode}");
        }

        var expiry = await TlsMetrics.ReadAsync(node, TlsMetrics.Expiry);
        Assert.InRange(expiry, DateTimeOffset.UtcNow.AddDays(29).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddDays(31).ToUnixTimeSeconds());

        // With a token file the admin port takes the token, as without TLS.
        await using var withToken = await StartAsync(1, token: "s3cret-token");
        using (var put = await withToken[0].PushConfigAsync(new Contracts.Config.SidecarConfig { Generation = 3 }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        using (var wrong = await withToken[0].PushConfigAsync(new Contracts.Config.SidecarConfig { Generation = 4 }, bearer: "wrong"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        Assert.Equal(3, (await withToken[0].StatusAsync()).ConfigGeneration);
    }

    [Fact]
    public async Task PeerWithAnExpiredOrForeignCertificate_IsRefused_UntilItsSecretIsFixed_WithoutARestart()
    {
        await using var mesh = await StartAsync(2, token: "s3cret-token");
        var (member, peer) = (mesh[0], mesh[1]);
        var peerVolume = Volume(peer);
        using var expired = Ca.IssueExpired("n1");
        peerVolume.Write(expired, Ca);
        await WaitReloadedAsync(peer, 1);

        peer.Exec("INSERT INTO items VALUES ('from-n1', 'x', 1)");
        await member.SetPeersAsync(1, (peer.Name, peer.ReplicationUrl));
        await WaitPeerErrorsAsync(member, "the member refuses the peer's expired certificate");
        Assert.Equal(0, member.Count());

        using var foreign = OtherCa.Issue("n1");
        peerVolume.Write(foreign, Ca);
        await WaitReloadedAsync(peer, 2);
        await WaitPeerErrorsAsync(member, "the member refuses the peer's certificate from another CA");
        Assert.Equal(0, member.Count());

        using var valid = Ca.Issue("n1");
        peerVolume.Write(valid, Ca);
        await Eventually.TrueAsync(() => member.Count() == 1, Timeout, "the member tails the peer once its certificate is from the CA and valid");
        var status = await member.StatusAsync();
        Assert.True(Assert.Single(status.Peers).Connected);
        Assert.Equal(3, await TlsMetrics.ReadAsync(peer, TlsMetrics.ReloadsOk));
    }

    [Fact]
    public async Task UnusableRotation_IsCountedAndLogged_AndTheMemberKeepsServingItsCertificate()
    {
        await using var mesh = await StartAsync(1, token: null);
        var node = mesh[0];
        var volume = Volume(node);
        using var client = Ca.Issue("client");
        var thumbprints = new List<string>();
        async Task<string> ServedAsync()
        {
            X509Certificate2? seen = null;
            using var http = TlsTestClient.Create(client, Ca, c => seen = c);
            using var response = await http.GetAsync(new Uri(node.ReplicationUrl, Paths.Schema));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return seen!.Thumbprint;
        }

        var first = await ServedAsync();
        using var stranger = Ca.Issue("stranger");
        volume.Write(new Dictionary<string, string> { [SecretVolume.KeyKey] = TestCertificateAuthority.KeyPemOf(stranger) });
        await Eventually.ValueAsync(() => TlsMetrics.ReadAsync(node, TlsMetrics.ReloadsFailed), v => v == 1, Timeout, "the bad rotation is counted");
        Assert.Equal(first, await ServedAsync());
        Assert.Contains("cannot be used", node.Process.Stderr, StringComparison.Ordinal);

        using var renewed = Ca.Issue("n0", TimeSpan.FromDays(90));
        volume.Write(renewed, Ca);
        await Eventually.ValueAsync(ServedAsync, t => t == renewed.Thumbprint, Timeout, "the renewed certificate is served without a restart");
        Assert.Equal(new DateTimeOffset(renewed.NotAfter).ToUnixTimeSeconds(), await TlsMetrics.ReadAsync(node, TlsMetrics.Expiry));
        Assert.Equal(1, await TlsMetrics.ReadAsync(node, TlsMetrics.ReloadsOk));
        Assert.Equal(1, await TlsMetrics.ReadAsync(node, TlsMetrics.ReloadsFailed));
    }

    private static SecretVolume Volume(TestNode node) => new(Path.Combine(node.Database.Folder, "tls"));

    private Task<TestMesh> StartAsync(int count, string? token) =>
        TestMesh.StartAsync(count, token: token, flags: (name, folder) => Ca.SidecarFlags(folder, name));

    private static Task WaitReloadedAsync(TestNode node, int reloads) =>
        Eventually.ValueAsync(() => TlsMetrics.ReadAsync(node, TlsMetrics.ReloadsOk), v => v >= reloads, Timeout, $"{node.Name} reloaded its TLS files {reloads} time(s)");

    /// <summary>Waits until the member's requests to its one peer failed twice more (so after the peer's last change) and shows a TLS error.</summary>
    private static async Task WaitPeerErrorsAsync(TestNode member, string because)
    {
        const string errors = "replication_peer_requests_total{endpoint=\"schema\",outcome=\"error\",peer=\"n1\"}";
        var before = await TlsMetrics.ReadAsync(member, errors);
        await Eventually.ValueAsync(() => TlsMetrics.ReadAsync(member, errors), v => v >= before + 2, Timeout, because);
        var peer = Assert.Single((await member.StatusAsync()).Peers);
        Assert.False(peer.Connected);
        Assert.Contains("SSL", peer.LastError, StringComparison.Ordinal);
    }
}
