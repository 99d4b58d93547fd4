using System.Net;
using K8sReplication.Contracts;
using K8sReplication.TestKit;
using K8sReplication.TestKit.Tls;

namespace K8sReplication.Sidecar.Tests.Integration;

/// <summary>
/// A 3-member mesh over mutual TLS, each member's files in a Secret volume updated the kubelet's way, while the app
/// writes on every member: new leaf certificates, then a CA rotation with overlap (bundle old+new, leaves from the new
/// CA, bundle new only). After each step every member keeps receiving every other member's new rows; at the end no
/// row is lost, every peer is connected with no lag, and a certificate of the retired CA is refused.
/// </summary>
public sealed class TlsRotationTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TestCertificateAuthority _oldCa = TestCertificateAuthority.Create("mesh-ca-1");
    private readonly TestCertificateAuthority _newCa = TestCertificateAuthority.Create("mesh-ca-2");

    public void Dispose()
    {
        _oldCa.Dispose();
        _newCa.Dispose();
    }

    [Fact]
    public async Task ThreeMembersOverMutualTls_Converge_ThroughLeafAndCaRotationsMidWrite_WithNoRowLostAndNoPeerStuck()
    {
        await using var mesh = await TestMesh.StartAsync(3, flags: (name, folder) => _oldCa.SidecarFlags(folder, name));
        var volumes = mesh.Nodes.Select(n => new SecretVolume(Path.Combine(n.Database.Folder, "tls"))).ToArray();
        Assert.All(mesh.Nodes, n => Assert.Equal("https", n.ReplicationUrl.Scheme));
        await mesh.ConnectFullMeshAsync();

        using var stop = new CancellationTokenSource();
        var written = new long[mesh.Nodes.Count];
        var writers = mesh.Nodes.Select((node, i) => Task.Run(async () =>
        {
            using var c = node.Open();
            while (!stop.IsCancellationRequested)
            {
                var next = Interlocked.Read(ref written[i]) + 1;
                K8sReplication.TestKit.Sqlite.SqliteConnectionTestExtensions.Execute(c, $"INSERT INTO items VALUES ('{node.Name}-{next}', randomblob(64), {next})");
                Interlocked.Exchange(ref written[i], next);

                // Pacing, not synchronisation: a steady write rate on a shared 2-core machine.
                await Task.Delay(2);
            }
        })).ToArray();

        try
        {
            var reloads = 0;
            await FlowsAsync("before any rotation");

            // 1. New leaf certificates from the same CA.
            await RotateAsync(++reloads, (name, v) => Leaf(v, _oldCa, name, _oldCa));
            await FlowsAsync("after new leaf certificates");

            // 2. The new CA joins the bundle: either CA is accepted.
            await RotateAsync(++reloads, (name, v) => Leaf(v, _oldCa, name, _oldCa, _newCa));
            await FlowsAsync("with both CAs in the bundle");

            // 3. Leaves from the new CA, one member after the other (the others still present old-CA leaves).
            await RotateAsync(++reloads, (name, v) => Leaf(v, _newCa, name, _oldCa, _newCa));
            await FlowsAsync("after leaves from the new CA");

            // 4. The old CA leaves the bundle.
            await RotateAsync(++reloads, (name, v) => Leaf(v, _newCa, name, _newCa));
            await FlowsAsync("with the new CA alone");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }

        await mesh.WaitConvergedAsync(Timeout, "every member holds every row after the rotations");
        var total = written.Sum();
        Assert.All(mesh.Nodes, n => Assert.Equal(total, n.Count()));
        for (var i = 0; i < mesh.Nodes.Count; i++)
        {
            using var c = mesh[0].Open();
            Assert.Equal(written[i], (long)K8sReplication.TestKit.Sqlite.SqliteConnectionTestExtensions.Scalar(c, $"SELECT max(n) FROM items WHERE id LIKE 'n{i}-%'")!);
        }

        foreach (var node in mesh.Nodes)
        {
            await Eventually.ValueAsync(node.StatusAsync, s => s.Peers.Count == 2 && s.Peers.All(p => p.Connected && p.LagChanges == 0 && !p.CatchingUp),
                Timeout, $"{node.Name}: every peer connected with no lag");
        }

        // The retired CA is no longer trusted: a client certificate it issued is refused, one of the new CA is served.
        using var oldClient = _oldCa.Issue("old-client");
        using var newClient = _newCa.Issue("new-client");
        foreach (var node in mesh.Nodes)
        {
            using var refused = TlsTestClient.Create(oldClient, _newCa);
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => refused.GetAsync(new Uri(node.ReplicationUrl, Paths.Schema)));
            using var served = TlsTestClient.Create(newClient, _newCa);
            using var ok = await served.GetAsync(new Uri(node.ReplicationUrl, Paths.Schema));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        async Task RotateAsync(int reloads, Action<string, SecretVolume> write)
        {
            for (var i = 0; i < volumes.Length; i++)
            {
                write(mesh[i].Name, volumes[i]);
            }

            foreach (var node in mesh.Nodes)
            {
                await Eventually.ValueAsync(() => TlsMetrics.ReadAsync(node, TlsMetrics.ReloadsOk), v => v == reloads, Timeout, $"{node.Name} swapped in rotation {reloads}");
                Assert.Equal(0, await TlsMetrics.ReadAsync(node, TlsMetrics.ReloadsFailed));
            }
        }

        // Every member receives rows every other member writes from now on.
        async Task FlowsAsync(string step)
        {
            var marks = written.Select(w => Interlocked.Read(ref w) + 5).ToArray();
            foreach (var node in mesh.Nodes)
            {
                await Eventually.TrueAsync(() =>
                {
                    using var c = node.Open();
                    return Enumerable.Range(0, marks.Length).All(i =>
                        (long)(K8sReplication.TestKit.Sqlite.SqliteConnectionTestExtensions.Scalar(c, $"SELECT count(*) FROM items WHERE id = 'n{i}-{marks[i]}'") ?? 0L) == 1);
                }, Timeout, $"{node.Name} receives every member's new rows {step}\n{mesh.Diagnostics()}");
            }
        }
    }

    private static void Leaf(SecretVolume volume, TestCertificateAuthority issuer, string name, params TestCertificateAuthority[] bundle)
    {
        using var leaf = issuer.Issue(name);
        volume.Write(leaf, bundle);
    }
}
