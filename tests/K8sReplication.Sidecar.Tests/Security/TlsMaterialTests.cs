using K8sReplication.Sidecar.Security;
using K8sReplication.TestKit.Sqlite;
using K8sReplication.TestKit.Tls;
using Microsoft.Extensions.Logging.Abstractions;

namespace K8sReplication.Sidecar.Tests.Security;

public sealed class TlsMaterialTests : IDisposable
{
    private readonly TlsTestSetup _setup = new();

    private TestCertificateAuthority Ca => _setup.Ca;

    private TestCertificateAuthority OtherCa => _setup.OtherCa;

    private TempDatabase Folder => _setup.Folder;

    public void Dispose() => _setup.Dispose();

    private SecretVolume Volume(string name = "tls") => new(Path.Combine(Folder.Folder, name));

    [Fact]
    public void Load_ReadsTheCertificateWithItsKey_AndTheWholeCaBundle()
    {
        var volume = Volume();
        using var leaf = Ca.Issue("n0");
        volume.Write(leaf, Ca, OtherCa);

        using var material = TlsMaterial.Load(volume.CertFile, volume.KeyFile, volume.CaFile);

        Assert.Equal(leaf.Thumbprint, material.Certificate.Thumbprint);
        Assert.True(material.Certificate.HasPrivateKey);
        Assert.Equal([Ca.Certificate.Thumbprint, OtherCa.Certificate.Thumbprint], material.Authorities.Select(c => c.Thumbprint));
        Assert.Equal(new DateTimeOffset(leaf.NotAfter.ToUniversalTime()), material.NotAfter);
    }

    [Fact]
    public void Load_RefusesEachBadFile_NamingWhichOne()
    {
        var volume = Volume();
        using var leaf = Ca.Issue("n0");
        using var stranger = Ca.Issue("n1");
        volume.Write(leaf, Ca);

        Assert.Equal(TlsPart.Certificate, Refused(Path.Combine(Folder.Folder, "missing.crt"), volume.KeyFile, volume.CaFile, "does not exist"));
        Assert.Equal(TlsPart.Key, Refused(volume.CertFile, Path.Combine(Folder.Folder, "missing.key"), volume.CaFile, "does not exist"));
        Assert.Equal(TlsPart.Authorities, Refused(volume.CertFile, volume.KeyFile, Path.Combine(Folder.Folder, "missing-ca.crt"), "does not exist"));

        volume.Write(new Dictionary<string, string> { [SecretVolume.KeyKey] = TestCertificateAuthority.KeyPemOf(stranger) });
        Assert.Equal(TlsPart.Key, Refused(volume.CertFile, volume.KeyFile, volume.CaFile, "is not the private key of the certificate"));

        volume.Write(leaf, Ca);
        volume.Write(new Dictionary<string, string> { [SecretVolume.CaKey] = "# no certificate here\n" });
        Assert.Equal(TlsPart.Authorities, Refused(volume.CertFile, volume.KeyFile, volume.CaFile, "holds no PEM certificate"));

        volume.Write(new Dictionary<string, string> { [SecretVolume.CaKey] = Ca.CertificatePem, [SecretVolume.CertKey] = TestCertificateAuthority.KeyPemOf(leaf) });
        Assert.Equal(TlsPart.Certificate, Refused(volume.CertFile, volume.KeyFile, volume.CaFile, "holds no PEM certificate"));

        volume.Write(new Dictionary<string, string> { [SecretVolume.CertKey] = TestCertificateAuthority.CertificatePemOf(leaf), [SecretVolume.KeyKey] = "not a key" });
        Assert.Equal(TlsPart.Key, Refused(volume.CertFile, volume.KeyFile, volume.CaFile, "holds no private key"));
    }

    [Fact]
    public void Trusts_OnlyCurrentCertificatesFromTheBundle_ForTheAskedPurpose()
    {
        var volume = Volume();
        using var leaf = Ca.Issue("n0");
        volume.Write(leaf, Ca);
        using var material = TlsMaterial.Load(volume.CertFile, volume.KeyFile, volume.CaFile);
        using var peer = Ca.Issue("n1");
        using var foreign = OtherCa.Issue("n1");
        using var expired = Ca.IssueExpired("n1");
        using var serverOnly = Ca.Issue("n1", clientAuth: false);

        Assert.True(material.Trusts(peer, null, TlsMaterial.ServerAuth));
        Assert.True(material.Trusts(peer, null, TlsMaterial.ClientAuth));
        Assert.False(material.Trusts(foreign, null, TlsMaterial.ClientAuth));
        Assert.False(material.Trusts(expired, null, TlsMaterial.ClientAuth));
        Assert.False(material.Trusts(expired, null, TlsMaterial.ServerAuth));
        Assert.True(material.Trusts(serverOnly, null, TlsMaterial.ServerAuth));
        Assert.False(material.Trusts(serverOnly, null, TlsMaterial.ClientAuth));
        Assert.False(material.Trusts(null, null, TlsMaterial.ClientAuth));

        // Not the system store: a CA it does not list is refused however the machine is set up.
        Assert.False(material.Trusts(OtherCa.Certificate, null, TlsMaterial.ClientAuth));
    }

    [Fact]
    public void Reloader_SwapsInASecretRotation_KeepsTheOldOnABadOne_AndCountsEachBadReadingOnce()
    {
        var volume = Volume();
        using var first = Ca.Issue("n0");
        volume.Write(first, Ca);
        using var reloader = new CertificateReloader(TlsMaterial.Load(volume.CertFile, volume.KeyFile, volume.CaFile),
            volume.CertFile, volume.KeyFile, volume.CaFile, TimeProvider.System, NullLogger<CertificateReloader>.Instance);
        var changes = new List<TlsMaterial>();
        reloader.Changed += changes.Add;

        reloader.Poll();
        Assert.Empty(changes);

        using var second = Ca.Issue("n0", TimeSpan.FromDays(90));
        volume.Write(second, Ca, OtherCa);
        reloader.Poll();
        Assert.Equal(second.Thumbprint, reloader.Current.Certificate.Thumbprint);
        Assert.Equal(2, reloader.Current.Authorities.Count);
        Assert.Equal((1L, 0L), (reloader.Reloads, reloader.Failures));
        Assert.Same(reloader.Current, Assert.Single(changes));

        using var stranger = Ca.Issue("n9");
        volume.Write(new Dictionary<string, string> { [SecretVolume.KeyKey] = TestCertificateAuthority.KeyPemOf(stranger) });
        reloader.Poll();
        reloader.Poll();
        Assert.Equal(second.Thumbprint, reloader.Current.Certificate.Thumbprint);
        Assert.Equal((1L, 1L), (reloader.Reloads, reloader.Failures));

        using var third = OtherCa.Issue("n0");
        volume.Write(third, OtherCa);
        reloader.Poll();
        Assert.Equal(third.Thumbprint, reloader.Current.Certificate.Thumbprint);
        Assert.Equal([OtherCa.Certificate.Thumbprint], reloader.Current.Authorities.Select(c => c.Thumbprint));
        Assert.Equal((2L, 1L), (reloader.Reloads, reloader.Failures));
    }

    private static TlsPart Refused(string cert, string key, string ca, string message)
    {
        var e = Assert.Throws<TlsMaterialException>(() => TlsMaterial.Load(cert, key, ca));
        Assert.Contains(message, e.Message);
        return e.Part;
    }
}
