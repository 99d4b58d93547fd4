using k8s;
using k8s.Models;
using K8sReplication.Kube.Client;
using K8sReplication.Kube.Resources;
using K8sReplication.Kube.Tests.Support;
using K8sReplication.TestKit.Kube;

namespace K8sReplication.Kube.Tests.Emulator;

/// <summary>A fresh emulator and a connection configured from the kubeconfig it writes, per test.</summary>
public abstract class EmulatorTestBase : IAsyncLifetime
{
    protected ApiServerEmulator Emulator { get; private set; } = null!;

    protected KubeConnection Connection { get; private set; } = null!;

    protected Kubernetes Client => Connection.Client;

    protected TempDir Dir { get; } = new();

    protected string Kubeconfig => Path.Combine(Dir.Path, "kubeconfig");

    protected virtual ApiServerEmulatorOptions? EmulatorOptions => null;

    public async Task InitializeAsync()
    {
        Emulator = await ApiServerEmulator.StartAsync(EmulatorOptions);
        Emulator.WriteKubeconfig(Kubeconfig);
        Connection = Clients.ForKubeconfig(Kubeconfig);
    }

    protected Task<KubeListPage<V1ConfigMap>> ListConfigMapsAsync() =>
        KubeResources.ConfigMaps.ListAllAsync(Client, "default", null, null, CancellationToken.None);

    protected Task<V1ConfigMap> CreateConfigMapAsync(string name) =>
        Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name } }, "default");

    public async Task DisposeAsync()
    {
        Connection.Dispose();
        await Emulator.DisposeAsync();
        Dir.Dispose();
    }
}
