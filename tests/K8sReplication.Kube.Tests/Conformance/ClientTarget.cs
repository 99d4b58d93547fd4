using k8s;
using k8s.Autorest;
using k8s.Models;
using K8sReplication.Kube.Client;
using K8sReplication.Kube.Tests.Support;
using K8sReplication.TestKit.Kube;

namespace K8sReplication.Kube.Tests.Conformance;

/// <summary>
/// Where a scenario runs: the emulator (always available) or a real cluster (K8SREPL_REAL_CLUSTER=1 and KUBECONFIG),
/// through the official client and our layers over it. Each target gets a fresh namespace so scenarios never see each
/// other's objects.
/// </summary>
public sealed class ClientTarget : IAsyncDisposable
{
    private readonly TempDir _dir;

    private ClientTarget(KubeConnection connection, string ns, ApiServerEmulator? emulator, TempDir dir)
    {
        Connection = connection;
        Namespace = ns;
        Emulator = emulator;
        _dir = dir;
    }

    public KubeConnection Connection { get; }

    public Kubernetes Client => Connection.Client;

    public string Namespace { get; }

    /// <summary>Null on a real cluster.</summary>
    public ApiServerEmulator? Emulator { get; }

    public bool IsRealCluster => Emulator is null;

    public string Dir => _dir.Path;

    public static bool RealClusterConfigured =>
        Environment.GetEnvironmentVariable("K8SREPL_REAL_CLUSTER") == "1"
        && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KUBECONFIG"));

    public static async Task<ClientTarget> CreateAsync(bool realCluster)
    {
        var dir = new TempDir();
        ApiServerEmulator? emulator = null;
        KubernetesClientConfiguration config;
        if (realCluster)
        {
            config = KubeConnection.LoadConfig(null);
        }
        else
        {
            emulator = await ApiServerEmulator.StartAsync();
            config = KubeConnection.LoadConfig(emulator.WriteKubeconfig(Path.Combine(dir.Path, "kubeconfig")));
        }

        var connection = KubeConnection.Open(config, Clients.FastOptions);
        var ns = "k8srepl-conf-" + Guid.NewGuid().ToString("N")[..8];
        await connection.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
        return new ClientTarget(connection, ns, emulator, dir);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Client.CoreV1.DeleteNamespaceAsync(Namespace);
        }
        catch (HttpOperationException)
        {
            // best effort cleanup
        }

        Connection.Dispose();
        if (Emulator is not null)
        {
            await Emulator.DisposeAsync();
        }

        _dir.Dispose();
    }
}
