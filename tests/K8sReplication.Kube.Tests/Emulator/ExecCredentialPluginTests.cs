using k8s;
using k8s.Autorest;
using K8sReplication.Kube.Client;
using K8sReplication.Kube.Resources;
using K8sReplication.Kube.Tests.Support;
using K8sReplication.Kube.Watch;
using K8sReplication.TestKit.Kube;

namespace K8sReplication.Kube.Tests.Emulator;

/// <summary>A kubeconfig whose user is an exec credential plugin (EKS, GKE, Entra-ID AKS) works for calls and for our watch.</summary>
public sealed class ExecCredentialPluginTests : EmulatorTestBase
{
    [Fact]
    public async Task ExecPluginKubeconfig_AuthenticatesCallsAndWatches_WithThePluginsToken()
    {
        var exec = ExecCredentialKubeconfig.Write(Emulator, Path.Combine(Dir.Path, "exec"));
        Emulator.AcceptedTokens = new HashSet<string> { exec.Token };
        using var connection = Clients.ForKubeconfig(exec.Path);

        await connection.Client.CoreV1.CreateNamespacedConfigMapAsync(new k8s.Models.V1ConfigMap { Metadata = new() { Name = "via-exec" } }, "default");
        var list = await KubeResources.ConfigMaps.ListAllAsync(connection.Client, "default", null, null, CancellationToken.None);
        Assert.Contains(list.Items, c => c.Metadata.Name == "via-exec");
        await foreach (var ev in connection.WatchOnceAsync(KubeResources.ConfigMaps, "default", null))
        {
            Assert.Equal((WatchEventType.Added, "via-exec"), (ev.Type, ev.Item.Metadata.Name));
            break;
        }

        Assert.True(exec.Invocations >= 1, "the credential plugin ran");

        // The static token of the emulator's ordinary kubeconfig is now refused: the plugin's token did the work.
        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ListNamespacedConfigMapAsync("default"));
        Assert.Equal(401, refused.StatusCode());
    }

    [Fact]
    public void BrokenPlugin_FailsWithAnErrorNamingThePlugin()
    {
        var exec = ExecCredentialKubeconfig.Write(Emulator, Path.Combine(Dir.Path, "exec"));
        File.WriteAllText(exec.Script, "#!/bin/sh\necho 'no credentials for you' >&2\nexit 3\n");
        var ex = Record.Exception(() =>
        {
            using var connection = Clients.ForKubeconfig(exec.Path);
        });
        var error = Assert.IsType<k8s.Exceptions.KubeConfigException>(ex);
        Assert.StartsWith($"user exec-plugin: exec credential plugin {exec.Script}: ", error.Message, StringComparison.Ordinal);
    }
}
