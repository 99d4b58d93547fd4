using K8sReplication.Kube.Client;
using K8sReplication.Kube.Config;
using K8sReplication.Kube.Tests.Support;
using K8sReplication.TestKit.Kube;

namespace K8sReplication.Kube.Tests.Emulator;

/// <summary>A fresh emulator and a client configured from the kubeconfig it writes, per test.</summary>
public abstract class EmulatorTestBase : IAsyncLifetime
{
    protected ApiServerEmulator Emulator { get; private set; } = null!;

    protected KubeClient Client { get; private set; } = null!;

    protected TempDir Dir { get; } = new();

    protected virtual ApiServerEmulatorOptions? EmulatorOptions => null;

    public async Task InitializeAsync()
    {
        Emulator = await ApiServerEmulator.StartAsync(EmulatorOptions);
        var kubeconfig = Emulator.WriteKubeconfig(Path.Combine(Dir.Path, "kubeconfig"));
        Client = new KubeClient(KubeClientConfig.FromKubeconfig(kubeconfig), Clients.FastOptions);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Emulator.DisposeAsync();
        Dir.Dispose();
    }
}
