using K8sReplication.Contracts.Config;
using K8sReplication.Sidecar.Configuration;

namespace K8sReplication.Sidecar.Tests.Configuration;

public sealed class ConfigFileReaderTests
{
    [Fact]
    public void YamlAndJson_ReadToTheSameConfig()
    {
        const string yaml = """
            mesh: demo
            generation: 3
            nodeName: "007"
            peers:
              - name: b
                url: http://b:8900
            antiEntropy:
              interval: 5s
              budget: 10
            paused: false
            topology: Sparse
            """;
        const string json = """{"mesh":"demo","generation":3,"nodeName":"007","peers":[{"name":"b","url":"http://b:8900"}],"antiEntropy":{"interval":"5s","budget":10},"paused":false,"topology":"Sparse"}""";
        var fromYaml = ConfigFileReader.Parse(yaml, "--config");
        var fromJson = ConfigFileReader.Parse(json, "--config");
        foreach (var c in new[] { fromYaml, fromJson })
        {
            Assert.Equal("demo", c.Mesh);
            Assert.Equal(3, c.Generation);
            Assert.Equal("007", c.NodeName);
            Assert.Equal("http://b:8900", Assert.Single(c.Peers!).Url);
            Assert.Equal(10, c.AntiEntropy!.Budget);
            Assert.False(c.Paused);
            Assert.Equal(Topology.Sparse, c.Topology);
        }
    }

    [Theory]
    [InlineData("{\"peerz\": []}", "peerz")]
    [InlineData("generation: many", "generation")]
    [InlineData("antiEntropy:\n  budget: lots", "antiEntropy.budget")]
    [InlineData("{\"peers\": [", "malformed JSON")]
    [InlineData("peers: [a, b", "malformed YAML")]
    [InlineData("- just\n- a list", "must be an object")]
    public void BadDocuments_NameTheKeyAtFault(string text, string mention)
    {
        var e = Assert.Throws<ConfigRejectedException>(() => ConfigFileReader.Parse(text, "--config"));
        Assert.Contains(mention, e.Message);
    }

    [Fact]
    public void Layering_FileUnderEnvironmentUnderFlags()
    {
        var file = new SidecarConfig { Database = "file.db", NodeName = "file", AntiEntropy = new AntiEntropyConfig { Interval = "1m", Budget = 5 } };
        var env = new SidecarConfig { NodeName = "env", AntiEntropy = new AntiEntropyConfig { Interval = "2m" } };
        var flags = new SidecarConfig { AntiEntropy = new AntiEntropyConfig { Interval = "3m" } };
        var merged = ConfigLayering.Merge(file, env, flags);
        Assert.Equal("file.db", merged.Database);
        Assert.Equal("env", merged.NodeName);
        Assert.Equal("3m", merged.AntiEntropy!.Interval);
        Assert.Equal(5, merged.AntiEntropy.Budget);
    }
}
