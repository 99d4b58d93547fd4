using K8sReplication.Contracts;
using K8sReplication.Contracts.Config;
using K8sReplication.Sidecar.Configuration;
using K8sReplication.TestKit.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace K8sReplication.Sidecar.Tests.Configuration;

public sealed class TlsConfigTests : IDisposable
{
    private static readonly SidecarConfig Valid = new() { Database = "/d.db", NodeName = "me" };
    private readonly TempDatabase _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void TlsFlags_AndTheirVariables_FillTheTlsSection_AndTheFileSpellsIt()
    {
        var errors = new List<ConfigError>();
        var flags = CommandLineParser.Parse(["--tls-cert", "/tls/tls.crt", "--tls-key=/tls/tls.key", "--tls-ca", "/tls/ca.crt"], errors).Config.Tls!;
        var env = new Dictionary<string, string>
        {
            [EnvVars.TlsCert] = "/tls/tls.crt",
            [EnvVars.TlsKey] = "/tls/tls.key",
            [EnvVars.TlsCa] = "/tls/ca.crt",
        };
        var variables = EnvironmentConfigReader.Read(k => env.GetValueOrDefault(k), errors).Config.Tls!;
        var file = ConfigFileReader.Parse("tls:\n  certFile: /tls/tls.crt\n  keyFile: /tls/tls.key\n  caFile: /tls/ca.crt\n", "--config").Tls!;

        Assert.Empty(errors);
        Assert.Equal(flags, variables);
        Assert.Equal(flags, file);
        Assert.Equal(("/tls/tls.crt", "/tls/tls.key", "/tls/ca.crt"), (flags.CertFile, flags.KeyFile, flags.CaFile));
        Assert.Null(CommandLineParser.Parse(["--database", "/d.db"], errors).Config.Tls);
    }

    [Fact]
    public void AllThreeFiles_GiveTlsSettings_NoneGivesPlainHttp()
    {
        Assert.Empty(SidecarConfigValidator.Validate(Valid with { Tls = new TlsConfig { CertFile = "/c", KeyFile = "/k", CaFile = "/ca" } }, out var tls));
        Assert.Equal(new TlsSettings("/c", "/k", "/ca"), tls!.Tls);

        Assert.Empty(SidecarConfigValidator.Validate(Valid with { Tls = new TlsConfig() }, out var plain));
        Assert.Null(plain!.Tls);
    }

    [Fact]
    public void WithTls_PeerUrlsMustBeHttps_WithoutTlsBothAreAccepted()
    {
        PeerConfig[] peers = [new() { Name = "a", Url = "https://10.0.0.1:8900" }, new() { Name = "b", Url = "http://10.0.0.2:8900" }];
        var tls = new TlsConfig { CertFile = "/c", KeyFile = "/k", CaFile = "/ca" };

        var errors = SidecarConfigValidator.Validate(Valid with { Tls = tls, Peers = peers }, out var refused);
        Assert.Null(refused);
        Assert.Equal("peers[1].url", Assert.Single(errors).Key);
        Assert.Contains("must be an https:// URL", errors[0].Message);

        Assert.Empty(SidecarConfigValidator.Validate(Valid with { Peers = peers }, out var plain));
        Assert.Equal(2, plain!.Peers.Count);
    }

    [Theory]
    [InlineData("/c", null, null, new[] { "tls.keyFile", "tls.caFile" })]
    [InlineData(null, "/k", null, new[] { "tls.certFile", "tls.caFile" })]
    [InlineData(null, null, "/ca", new[] { "tls.certFile", "tls.keyFile" })]
    [InlineData("/c", "/k", " ", new[] { "tls.caFile" })]
    public void PartOfTheTlsFiles_IsRefused_NamingEachMissingKeyAndItsFlag(string? cert, string? key, string? ca, string[] missing)
    {
        var errors = SidecarConfigValidator.Validate(Valid with { Tls = new TlsConfig { CertFile = cert, KeyFile = key, CaFile = ca } }, out var settings);

        Assert.Null(settings);
        Assert.Equal(missing, errors.Select(e => e.Key));
        foreach (var error in errors)
        {
            Assert.Contains("is required when", error.Message);
            Assert.Contains(TlsSettings.Sources(error.Key), error.Message);
        }
    }

    [Theory]
    [InlineData("certFile")]
    [InlineData("keyFile")]
    [InlineData("caFile")]
    public void PushChangingATlsFile_IsRefused_ButRepeatingTheFileInForceIsAccepted(string field)
    {
        var live = LiveConfig.Load(["--database", "x.db", "--node-name", "me", "--tls-cert", "/c", "--tls-key", "/k", "--tls-ca", "/ca"], _ => null, NullLogger.Instance);
        var changed = field switch
        {
            "certFile" => new TlsConfig { CertFile = "/other" },
            "keyFile" => new TlsConfig { KeyFile = "/other" },
            _ => new TlsConfig { CaFile = "/other" },
        };

        Assert.Equal(PushOutcome.Invalid, live.Push(new SidecarConfig { Generation = 3, Tls = changed }, out var errors));
        Assert.Equal("tls." + field, Assert.Single(errors).Key);
        Assert.Equal(0, live.Current.Generation);

        Assert.Equal(PushOutcome.Applied, live.Push(new SidecarConfig { Generation = 3, Tls = new TlsConfig { CertFile = "/c", KeyFile = "/k", CaFile = "/ca" } }, out _));
        Assert.Equal(new TlsSettings("/c", "/k", "/ca"), live.Current.Tls);
    }

    [Fact]
    public void PushTurningTlsOnOrOff_IsRefused()
    {
        var plain = LiveConfig.Load(["--database", "x.db", "--node-name", "me"], _ => null, NullLogger.Instance);
        Assert.Equal(PushOutcome.Invalid, plain.Push(new SidecarConfig { Tls = new TlsConfig { CertFile = "/c", KeyFile = "/k", CaFile = "/ca" } }, out var on));
        Assert.Equal(["tls.certFile", "tls.keyFile", "tls.caFile"], on.Select(e => e.Key));
        Assert.Null(plain.Current.Tls);

        var tls = LiveConfig.Load(["--database", "x.db", "--node-name", "me", "--tls-cert", "/c", "--tls-key", "/k", "--tls-ca", "/ca"], _ => null, NullLogger.Instance);
        Assert.Equal(PushOutcome.Invalid, tls.Push(new SidecarConfig { Tls = new TlsConfig { CertFile = "", KeyFile = "", CaFile = "" } }, out var off));
        Assert.Equal(3, off.Count);
        Assert.NotNull(tls.Current.Tls);
    }
}
