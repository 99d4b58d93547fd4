using k8s;
using k8s.Autorest;
using K8sReplication.Kube.Client;
using K8sReplication.Kube.Tests.Support;

namespace K8sReplication.Kube.Tests.Emulator;

/// <summary>kubectl's <c>user.tokenFile</c>, which the official client's kubeconfig model does not read, is honoured.</summary>
public sealed class TokenFileKubeconfigTests : EmulatorTestBase
{
    private string WriteKubeconfig(string userFields)
    {
        var path = Path.Combine(Dir.Path, "tokenfile", "config");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: emulator
              cluster:
                server: {Emulator.Url.ToString().TrimEnd('/')}
            contexts:
            - name: emulator
              context:
                cluster: emulator
                user: file-user
                namespace: default
            current-context: emulator
            users:
            - name: file-user
              user:
            {userFields}

            """);
        return path;
    }

    [Fact]
    public async Task TokenFile_RelativeToTheKubeconfig_AuthenticatesCalls()
    {
        var kubeconfig = WriteKubeconfig("    tokenFile: sa-token");
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(kubeconfig)!, "sa-token"), "from-the-file\n");
        Emulator.AcceptedTokens = new HashSet<string> { "from-the-file" };

        using var connection = Clients.ForKubeconfig(kubeconfig);
        var list = await connection.Client.CoreV1.ListNamespacedConfigMapAsync("default");

        Assert.NotNull(list.Items);
        Assert.Equal("default", connection.DefaultNamespace);
    }

    [Fact]
    public async Task Token_WinsOverTokenFile_AsWithKubectl()
    {
        var kubeconfig = WriteKubeconfig("    token: inline-token\n    tokenFile: sa-token");
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(kubeconfig)!, "sa-token"), "from-the-file");
        Emulator.AcceptedTokens = new HashSet<string> { "from-the-file" };

        using var connection = Clients.ForKubeconfig(kubeconfig);
        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => connection.Client.CoreV1.ListNamespacedConfigMapAsync("default"));
        Assert.Equal(401, refused.StatusCode());
    }
}
