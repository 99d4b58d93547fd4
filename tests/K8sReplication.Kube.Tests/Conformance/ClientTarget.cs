using K8sReplication.Kube.Client;
using K8sReplication.Kube.Config;
using K8sReplication.Kube.Models;
using K8sReplication.Kube.Tests.Support;
using K8sReplication.TestKit.Kube;

namespace K8sReplication.Kube.Tests.Conformance;

/// <summary>
/// Where a scenario runs: the emulator (always available) or a real cluster (K8SREPL_REAL_CLUSTER=1 and KUBECONFIG).
/// Each target gets a fresh namespace so scenarios never see each other's objects.
/// </summary>
public sealed class ClientTarget : IAsyncDisposable
{
    public static readonly ResourceType<GenericObject> Namespaces = ResourceTypes.Custom("", "v1", "namespaces", "Namespace", false);

    private readonly TempDir _dir;

    private ClientTarget(KubeClient client, string ns, ApiServerEmulator? emulator, TempDir dir)
    {
        Client = client;
        Namespace = ns;
        Emulator = emulator;
        _dir = dir;
    }

    public KubeClient Client { get; }

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
        KubeClientConfig config;
        if (realCluster)
        {
            config = KubeClientConfig.FromKubeconfig();
        }
        else
        {
            emulator = await ApiServerEmulator.StartAsync();
            config = KubeClientConfig.FromKubeconfig(emulator.WriteKubeconfig(Path.Combine(dir.Path, "kubeconfig")));
        }

        var client = new KubeClient(config, Clients.FastOptions);
        var ns = "k8srepl-conf-" + Guid.NewGuid().ToString("N")[..8];
        await client.CreateAsync(Namespaces, new GenericObject { Metadata = new ObjectMeta { Name = ns } });
        return new ClientTarget(client, ns, emulator, dir);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Client.DeleteAsync(Namespaces, Namespace);
        }
        catch (KubeApiException)
        {
            // best effort cleanup
        }

        Client.Dispose();
        if (Emulator is not null)
        {
            await Emulator.DisposeAsync();
        }

        _dir.Dispose();
    }
}
