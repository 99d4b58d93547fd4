using K8sReplication.Packaging.Tests.Tools;
using K8sReplication.TestKit;
using K8sReplication.TestKit.Kube;

namespace K8sReplication.Packaging.Tests.Emulator;

/// <summary>
/// One API server emulator for the apply tests, with our CRD, a ServiceMonitor CRD stand-in and the test namespaces
/// installed first (CRDs before the objects that use them, as `helm install` and a user would do).
/// </summary>
public sealed class EmulatorCluster : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"k8srepl-pkg-{Guid.NewGuid():N}");

    public ApiServerEmulator Server { get; private set; } = null!;

    public string Kubeconfig { get; private set; } = "";

    public static string TestData(string file) => Path.Combine(AppContext.BaseDirectory, "TestData", file);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        Server = await ApiServerEmulator.StartAsync();
        Kubeconfig = Server.WriteKubeconfig(Path.Combine(_dir, "kubeconfig"));
        await KubectlAsync("apply", "-f", Path.Combine(RepoPaths.Root, "crds"));
        await KubectlAsync("apply", "-f", TestData("servicemonitor-crd.yaml"), "-f", TestData("namespaces.yaml"));
    }

    /// <summary>Runs the real kubectl against the emulator and fails with kubectl's own output.</summary>
    public async Task<string> KubectlAsync(params string[] args)
    {
        string[] all = ["--kubeconfig", Kubeconfig, "--cache-dir", Path.Combine(_dir, "cache"), .. args];
        var result = await ExternalTool.Kubectl.RunAsync(all);
        return result.EnsureSuccess().Stdout;
    }

    public async Task<string> ApplyAsync(string manifest, string? @namespace = null)
    {
        var file = Path.Combine(_dir, $"manifest-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, manifest);
        return @namespace is null
            ? await KubectlAsync("apply", "-f", file)
            : await KubectlAsync("apply", "-n", @namespace, "-f", file);
    }

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        Directory.Delete(_dir, recursive: true);
    }
}
