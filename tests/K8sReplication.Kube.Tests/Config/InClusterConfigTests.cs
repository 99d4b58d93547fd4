using K8sReplication.Kube.Config;
using K8sReplication.Kube.Tests.Support;

namespace K8sReplication.Kube.Tests.Config;

public sealed class InClusterConfigTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly TestCertificates _certs = new();

    public void Dispose()
    {
        _dir.Dispose();
        _certs.Dispose();
    }

    private static Func<string, string?> Env(string? host, string? port) =>
        key => key switch { "KUBERNETES_SERVICE_HOST" => host, "KUBERNETES_SERVICE_PORT" => port, _ => null };

    private void WriteServiceAccount(bool ns = true)
    {
        _dir.Write("token", "tok-1\n");
        _dir.Write("ca.crt", _certs.CaPem);
        if (ns)
        {
            _dir.Write("namespace", "prod\n");
        }
    }

    [Fact]
    public void ServiceAccountFolder_GivesHttpsServerTokenFileCaAndNamespace()
    {
        WriteServiceAccount();
        var config = KubeClientConfig.InCluster(_dir.Path, Env("10.96.0.1", "443"));
        Assert.Equal(new Uri("https://10.96.0.1:443"), config.Server);
        Assert.Equal("prod", config.Namespace);
        Assert.Equal(Path.Combine(_dir.Path, "token"), config.BearerTokenFile);
        Assert.Single(config.CertificateAuthorities!);
    }

    [Fact]
    public void Ipv6Host_IsBracketed_AndMissingNamespaceFileMeansDefault()
    {
        WriteServiceAccount(ns: false);
        var config = KubeClientConfig.InCluster(_dir.Path, Env("fd00::1", "6443"));
        Assert.Equal("[fd00::1]", config.Server.Host);
        Assert.Equal(6443, config.Server.Port);
        Assert.Equal("default", config.Namespace);
    }

    [Theory]
    [InlineData(null, "443", "KUBERNETES_SERVICE_HOST is not set")]
    [InlineData("10.0.0.1", null, "KUBERNETES_SERVICE_PORT is not set")]
    [InlineData("10.0.0.1", "https", "KUBERNETES_SERVICE_PORT 'https' is not a port number")]
    public void MissingEnvironment_IsNamed(string? host, string? port, string expected)
    {
        WriteServiceAccount();
        var ex = Assert.Throws<KubeConfigException>(() => KubeClientConfig.InCluster(_dir.Path, Env(host, port)));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void MissingToken_IsNamed()
    {
        _dir.Write("ca.crt", _certs.CaPem);
        var ex = Assert.Throws<KubeConfigException>(() => KubeClientConfig.InCluster(_dir.Path, Env("h", "1")));
        Assert.Contains("token", ex.Message);
        Assert.Contains("does not exist", ex.Message);
    }

    [Fact]
    public void BrokenCa_IsNamed()
    {
        _dir.Write("token", "t");
        _dir.Write("ca.crt", "not a certificate");
        var ex = Assert.Throws<KubeConfigException>(() => KubeClientConfig.InCluster(_dir.Path, Env("h", "1")));
        Assert.Contains("ca.crt", ex.Message);
    }
}
