using System.Text;
using K8sReplication.Kube.Config;
using K8sReplication.Kube.Tests.Support;

namespace K8sReplication.Kube.Tests.Config;

public sealed class KubeconfigTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Func<string, string?> Env(params (string Key, string Value)[] vars) =>
        key => vars.FirstOrDefault(v => v.Key == key).Value;

    private const string Basic = """
        apiVersion: v1
        kind: Config
        current-context: dev
        clusters:
        - name: c1
          cluster:
            server: https://10.0.0.1:6443
            insecure-skip-tls-verify: true
        contexts:
        - name: dev
          context:
            cluster: c1
            user: u1
            namespace: team-a
        users:
        - name: u1
          user:
            token: abc123
        """;

    [Fact]
    public void CurrentContext_GivesServerNamespaceAndToken()
    {
        var file = _dir.Write("config", Basic);
        var config = KubeClientConfig.FromKubeconfig(file);
        Assert.Equal(new Uri("https://10.0.0.1:6443"), config.Server);
        Assert.Equal("team-a", config.Namespace);
        Assert.Equal("abc123", config.BearerToken);
        Assert.True(config.InsecureSkipTlsVerify);
        Assert.Contains("context dev", config.Source);
    }

    [Fact]
    public void KubeconfigEnvList_MergesWithFirstFileWinning()
    {
        var first = _dir.Write("a/config", """
            current-context: first
            clusters:
            - name: shared
              cluster: { server: "https://first:443" }
            contexts:
            - name: first
              context: { cluster: shared, user: fileuser }
            users:
            - name: fileuser
              user: { tokenFile: tokens/t }
            """);
        var second = _dir.Write("b/config", """
            current-context: second
            clusters:
            - name: shared
              cluster: { server: "https://second:443" }
            - name: other
              cluster: { server: "https://other:443" }
            contexts:
            - name: second
              context: { cluster: other, namespace: ns2 }
            """);
        var missing = Path.Combine(_dir.Path, "nope");
        var env = Env(("KUBECONFIG", string.Join(':', missing, first, second)));

        var config = KubeClientConfig.FromKubeconfig(environment: env);
        Assert.Equal("first", config.Server.Host); // first definition of "shared" wins
        Assert.Equal(Path.Combine(_dir.Path, "a", "tokens", "t"), config.BearerTokenFile); // relative to its own file
        Assert.Equal("default", config.Namespace);

        var other = KubeClientConfig.FromKubeconfig(context: "second", environment: env);
        Assert.Equal("other", other.Server.Host);
        Assert.Equal("ns2", other.Namespace);
        Assert.Null(other.BearerToken);
    }

    [Fact]
    public void HomeConfig_IsUsedWithoutKubeconfigEnv()
    {
        _dir.Write(".kube/config", Basic);
        var config = KubeClientConfig.FromKubeconfig(environment: Env(("HOME", _dir.Path)));
        Assert.Equal("abc123", config.BearerToken);
    }

    [Fact]
    public void NoConfigAnywhere_NamesWhereItLooked()
    {
        var ex = Assert.Throws<KubeConfigException>(() => KubeClientConfig.FromKubeconfig(environment: Env(("HOME", _dir.Path))));
        Assert.Contains(".kube/config does not exist", ex.Message);
        Assert.Contains("KUBECONFIG is not set", ex.Message);
    }

    [Theory]
    [InlineData("clusters: []\ncontexts: []\n", "current-context is not set")]
    [InlineData("current-context: x\n", "context 'x' is not defined")]
    [InlineData("current-context: x\ncontexts:\n- name: x\n  context: { cluster: nowhere }\n", "cluster 'nowhere' is not defined")]
    [InlineData("current-context: x\ncontexts:\n- name: x\n  context: { cluster: c }\nclusters:\n- name: c\n  cluster: { insecure-skip-tls-verify: true }\n", "clusters[name=c].cluster.server is missing")]
    [InlineData("current-context: x\ncontexts:\n- name: x\n  context: { cluster: c, user: u }\nclusters:\n- name: c\n  cluster: { server: 'https://a' }\n", "user 'u' is not defined")]
    [InlineData("current-context: x\ncontexts:\n- name: x\n  context: { cluster: c }\nclusters:\n- name: c\n  cluster: { server: 'ftp://a' }\n", "is not an http(s) URL")]
    [InlineData("current-context: x\ncontexts:\n- name: x\n  context: { cluster: c }\nclusters:\n- name: c\n  cluster: { server: 'https://a', certificate-authority-data: '!!notbase64' }\n", "certificate-authority-data is not valid base64")]
    [InlineData("current-context: x\ncontexts:\n- name: x\n  context: { cluster: c }\nclusters:\n- name: c\n  cluster: { server: 'https://a', certificate-authority: missing.crt }\n", "certificate-authority: cannot read")]
    [InlineData("current-context: x\ncontexts:\n- name: x\n  context: { cluster: c, user: u }\nclusters:\n- name: c\n  cluster: { server: 'https://a' }\nusers:\n- name: u\n  user:\n    exec: { command: aws }\n", "exec: credential plugins are not supported")]
    [InlineData("current-context: x\ncontexts:\n- name: x\n  context: { cluster: c }\nclusters:\n- name: c\n  cluster: { server: 'https://a', insecure-skip-tls-verify: maybe }\n", "insecure-skip-tls-verify 'maybe' is not true or false")]
    [InlineData("clusters: [ unclosed\n", "not valid YAML")]
    [InlineData("- just\n- a list\n", "top level must be a mapping")]
    public void BrokenConfig_ErrorNamesTheField(string yaml, string expected)
    {
        var file = _dir.Write("broken", yaml);
        var ex = Assert.Throws<KubeConfigException>(() => KubeClientConfig.FromKubeconfig(file));
        Assert.Contains(expected, ex.Message);
        Assert.Contains(file, ex.Message);
    }

    [Fact]
    public void CertificateData_LoadsCaAndClientCertificate()
    {
        using var certs = new TestCertificates();
        static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));
        var file = _dir.Write("config", $"""
            current-context: x
            clusters:
            - name: c
              cluster: {"{"} server: "https://127.0.0.1:1", certificate-authority-data: {B64(certs.CaPem)} {"}"}
            contexts:
            - name: x
              context: {"{"} cluster: c, user: u {"}"}
            users:
            - name: u
              user:
                client-certificate-data: {B64(certs.Client.ExportCertificatePem())}
                client-key-data: {B64(TestCertificates.KeyPem(certs.Client))}
            """);
        var config = KubeClientConfig.FromKubeconfig(file);
        Assert.Equal(certs.Ca.Thumbprint, Assert.Single(config.CertificateAuthorities!).Thumbprint);
        Assert.NotNull(config.ClientCertificate);
        Assert.True(config.ClientCertificate!.HasPrivateKey);
        Assert.Equal(certs.Client.Thumbprint, config.ClientCertificate.Thumbprint);
    }

    [Fact]
    public void CertificateFiles_ResolveRelativeToTheKubeconfig()
    {
        using var certs = new TestCertificates();
        _dir.Write("pki/ca.crt", certs.CaPem);
        _dir.Write("pki/client.crt", certs.Client.ExportCertificatePem());
        _dir.Write("pki/client.key", TestCertificates.KeyPem(certs.Client));
        var file = _dir.Write("config", """
            current-context: x
            clusters:
            - name: c
              cluster: { server: "https://127.0.0.1:1", certificate-authority: pki/ca.crt }
            contexts:
            - name: x
              context: { cluster: c, user: u }
            users:
            - name: u
              user: { client-certificate: pki/client.crt, client-key: pki/client.key }
            """);
        var config = KubeClientConfig.FromKubeconfig(file);
        Assert.Single(config.CertificateAuthorities!);
        Assert.True(config.ClientCertificate!.HasPrivateKey);
    }

    [Fact]
    public void ClientCertificateWithoutKey_IsAnError()
    {
        using var certs = new TestCertificates();
        _dir.Write("client.crt", certs.Client.ExportCertificatePem());
        var file = _dir.Write("config", """
            current-context: x
            clusters:
            - name: c
              cluster: { server: "https://a" }
            contexts:
            - name: x
              context: { cluster: c, user: u }
            users:
            - name: u
              user: { client-certificate: client.crt }
            """);
        var ex = Assert.Throws<KubeConfigException>(() => KubeClientConfig.FromKubeconfig(file));
        Assert.Contains("client-key(-data) is missing", ex.Message);
    }
}
