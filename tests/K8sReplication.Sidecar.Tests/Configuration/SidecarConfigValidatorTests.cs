using K8sReplication.Contracts.Config;
using K8sReplication.Sidecar.Configuration;

namespace K8sReplication.Sidecar.Tests.Configuration;

public sealed class SidecarConfigValidatorTests
{
    private static readonly SidecarConfig Valid = new() { Database = "/d.db", NodeName = "me" };

    [Fact]
    public void MinimalConfig_GetsTheDocumentedDefaults()
    {
        Assert.Empty(SidecarConfigValidator.Validate(Valid, out var s));
        Assert.Equal("0.0.0.0:8900", s!.Listen.ToString());
        Assert.Equal("0.0.0.0:8901", s.AdminListen.ToString());
        Assert.Equal(TimeSpan.FromSeconds(30), s.AntiEntropyInterval);
        Assert.Equal(TimeSpan.FromMinutes(5), s.MaxClockSkew);
        Assert.Equal(Topology.FullMesh, s.Topology);
        Assert.Null(s.Tables);
        Assert.Empty(s.Peers);
    }

    public static TheoryData<SidecarConfig, string, string> BadConfigs => new()
    {
        { Valid with { Database = null }, "database", "required" },
        { Valid with { NodeName = " " }, "nodeName", "required" },
        { Valid with { Generation = -1 }, "generation", "negative" },
        { Valid with { Tables = ["a", ""] }, "tables[1]", "table name" },
        { Valid with { Tables = ["a", "A"] }, "tables[1]", "twice" },
        { Valid with { Tables = ["__repl_log"] }, "tables[0]", "bookkeeping" },
        { Valid with { Listen = "nohost" }, "listen", "HOST:PORT" },
        { Valid with { Listen = "1.2.3.4:70000" }, "listen", "HOST:PORT" },
        { Valid with { AdminListen = "0.0.0.0:8900" }, "adminListen", "replication port" },
        { Valid with { Peers = [new PeerConfig { Name = "", Url = "http://x:1" }] }, "peers[0].name", "required" },
        { Valid with { Peers = [new PeerConfig { Name = "me", Url = "http://x:1" }] }, "peers[0].name", "own node name" },
        { Valid with { Peers = [new PeerConfig { Name = "a", Url = "http://x:1" }, new PeerConfig { Name = "a", Url = "http://y:1" }] }, "peers[1].name", "twice" },
        { Valid with { Peers = [new PeerConfig { Name = "a", Url = "ftp://x" }] }, "peers[0].url", "http(s)" },
        { Valid with { HotPath = new HotPathConfig { BatchSize = 0 } }, "hotPath.batchSize", "between" },
        { Valid with { HotPath = new HotPathConfig { Wait = "2h" } }, "hotPath.wait", "outside" },
        { Valid with { AntiEntropy = new AntiEntropyConfig { Interval = "soon" } }, "antiEntropy.interval", "not a duration" },
        { Valid with { AntiEntropy = new AntiEntropyConfig { Interval = "1ms" } }, "antiEntropy.interval", "outside" },
        { Valid with { AntiEntropy = new AntiEntropyConfig { Budget = 0 } }, "antiEntropy.budget", "at least 1" },
        { Valid with { AntiEntropy = new AntiEntropyConfig { Timeout = "-1s" } }, "antiEntropy.timeout", "not a duration" },
        { Valid with { MaxClockSkew = "5" }, "maxClockSkew", "not a duration" },
        { Valid with { TombstoneTtl = "1s" }, "tombstoneTtl", "outside" },
        { Valid with { Topology = (Topology)7 }, "topology", "unknown" },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public void EachBadKey_IsReported_WithItsKeyAndAClearMessage(SidecarConfig config, string key, string message)
    {
        var errors = SidecarConfigValidator.Validate(config, out var settings);
        Assert.Null(settings);
        var error = Assert.Single(errors);
        Assert.Equal(key, error.Key);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void SeveralErrors_AreAllReported()
    {
        var errors = SidecarConfigValidator.Validate(new SidecarConfig { Listen = "x", MaxClockSkew = "y" }, out _);
        Assert.Equal(["database", "nodeName", "listen", "maxClockSkew"], errors.Select(e => e.Key));
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("5s", 5000)]
    [InlineData("2m", 120_000)]
    [InlineData("1m30s", 90_000)]
    public void Durations_AcceptTheDocumentedForms(string text, int ms)
    {
        Assert.Empty(SidecarConfigValidator.Validate(Valid with { AntiEntropy = new AntiEntropyConfig { Interval = text } }, out var s));
        Assert.Equal(TimeSpan.FromMilliseconds(ms), s!.AntiEntropyInterval);
    }
}
