using K8sReplication.TestKit.Sqlite;

namespace K8sReplication.TestKit.Tls;

/// <summary>What a TLS test starts from: the mesh's CA, another CA its members must refuse, and a temporary folder.</summary>
public sealed class TlsTestSetup : IDisposable
{
    public TestCertificateAuthority Ca { get; } = TestCertificateAuthority.Create("mesh-ca");

    public TestCertificateAuthority OtherCa { get; } = TestCertificateAuthority.Create("other-ca");

    public TempDatabase Folder { get; } = new();

    public void Dispose()
    {
        Ca.Dispose();
        OtherCa.Dispose();
        Folder.Dispose();
    }
}
