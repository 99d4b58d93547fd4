using System.Text.Json;
using K8sReplication.Contracts.Config;
using K8sReplication.Contracts.Health;
using K8sReplication.Contracts.Json;

namespace K8sReplication.Contracts.Tests.Json;

public sealed class ContractsJsonContextTests
{
    [Fact]
    public void SidecarConfig_RoundTrips_WithCamelCaseNamesAndStringEnums()
    {
        var config = new SidecarConfig
        {
            Mesh = "orders",
            Generation = 7,
            NodeName = "app-0",
            Tables = ["orders", "items"],
            Peers = [new PeerConfig { Name = "app-1", Url = "http://10.0.0.2:8900" }],
            Topology = Topology.Sparse,
            HotPath = new HotPathConfig { BatchSize = 500, Wait = "5s" },
            AntiEntropy = new AntiEntropyConfig { Interval = "30s", Budget = 1000 },
        };

        var json = JsonSerializer.Serialize(config, ContractsJsonContext.Default.SidecarConfig);
        var back = JsonSerializer.Deserialize(json, ContractsJsonContext.Default.SidecarConfig)!;

        Assert.Contains("\"nodeName\":\"app-0\"", json, StringComparison.Ordinal);
        Assert.Contains("\"topology\":\"Sparse\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("database", json, StringComparison.Ordinal);
        Assert.Equal(config.Mesh, back.Mesh);
        Assert.Equal(config.Generation, back.Generation);
        Assert.Equal(config.Tables, back.Tables);
        Assert.Equal(config.Peers, back.Peers);
        Assert.Equal(config.HotPath, back.HotPath);
        Assert.Equal(config.AntiEntropy, back.AntiEntropy);
    }

    [Fact]
    public void SidecarConfig_UnknownField_IsRejected()
    {
        var ex = Assert.Throws<JsonException>(() =>
            JsonSerializer.Deserialize("{\"nodeName\":\"a\",\"pears\":[]}", ContractsJsonContext.Default.SidecarConfig));

        Assert.Contains("pears", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SidecarHealth_RoundTrips_AllFields()
    {
        var at = new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);
        var health = new SidecarHealth
        {
            State = EngineState.Running,
            Ready = true,
            Healthy = true,
            PeersConnected = 1,
            PeersTotal = 2,
            AcceptingWrites = true,
            SiteId = "00112233445566778899aabbccddeeff",
            NodeName = "app-0",
            ConfigGeneration = 3,
            MerkleRoot = "abcd",
            Rows = 10,
            Tombstones = 2,
            SchemaHashes = new Dictionary<string, string> { ["orders"] = "ff" },
            Peers = [new PeerHealth { Name = "app-1", Circuit = CircuitState.HalfOpen, LagChanges = 4, SchemaMismatches = ["items"] }],
            LastAntiEntropy = new AntiEntropyResult { Result = "equal", At = at },
        };

        var json = JsonSerializer.Serialize(health, ContractsJsonContext.Default.SidecarHealth);
        var back = JsonSerializer.Deserialize(json, ContractsJsonContext.Default.SidecarHealth)!;

        Assert.Contains("\"state\":\"Running\"", json, StringComparison.Ordinal);
        Assert.Contains("\"circuit\":\"HalfOpen\"", json, StringComparison.Ordinal);
        Assert.Equal(health.SiteId, back.SiteId);
        Assert.Equal(health.SchemaHashes["orders"], back.SchemaHashes["orders"]);
        Assert.Equal("items", Assert.Single(back.Peers).SchemaMismatches.Single());
        Assert.Equal(at, back.LastAntiEntropy!.At);
        Assert.Equal(health.Tombstones, back.Tombstones);
    }
}
