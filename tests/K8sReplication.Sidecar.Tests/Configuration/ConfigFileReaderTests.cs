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

    [Fact]
    public void ConflictRetention_ReadsFromYamlAndJson()
    {
        var fromYaml = ConfigFileReader.Parse("conflictRetention:\n  maxAge: 24h\n  maxEntries: 500\n", "--config");
        var fromJson = ConfigFileReader.Parse("""{"conflictRetention":{"maxAge":"24h","maxEntries":500}}""", "--config");
        foreach (var c in new[] { fromYaml, fromJson })
        {
            Assert.Equal("24h", c.ConflictRetention!.MaxAge);
            Assert.Equal(500, c.ConflictRetention.MaxEntries);
        }
    }

    [Theory]
    [InlineData("{\"peerz\": []}", "peerz")]
    [InlineData("conflictRetention:\n  maxEntries: many", "conflictRetention.maxEntries")]
    [InlineData("conflictRetention:\n  maxAgee: 1h", "maxAgee")]
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

    [Theory]
    [InlineData("[")]
    [InlineData("{\"a\":")]
    [InlineData("- ")]
    public void NestingFarBeyondTheLimit_IsRefused_WithoutExhaustingTheStack(string level)
    {
        // 50,000 levels overflowed the stack of the recursive YAML loader and took the process down.
        var text = string.Concat(Enumerable.Repeat(level, 50_000));
        var e = Assert.Throws<ConfigRejectedException>(() => ConfigFileReader.Parse(text, "body"));
        Assert.Equal("body", e.Errors[0].Key);
        Assert.Contains("32", e.Message);
    }

    [Fact]
    public void NestingAtTheLimit_IsParsed_OneLevelMoreIsNot()
    {
        static string Yaml(int depth) => "peers:\n  - name: b\n    url: " + string.Concat(Enumerable.Repeat("[", depth - 3)) + string.Concat(Enumerable.Repeat("]", depth - 3)) + "\n";
        static string Json(int depth) => "{\"peers\": [{\"name\": \"b\", \"url\": " + string.Concat(Enumerable.Repeat("[", depth - 3)) + string.Concat(Enumerable.Repeat("]", depth - 3)) + "}]}";

        // At the limit the document gets through to the deserializer, which refuses the value for what it is.
        Assert.Contains("peers", Assert.Throws<ConfigRejectedException>(() => ConfigFileReader.Parse(Yaml(ConfigLimits.MaxNestingDepth), "body")).Errors[0].Key);
        Assert.Contains("peers", Assert.Throws<ConfigRejectedException>(() => ConfigFileReader.Parse(Json(ConfigLimits.MaxNestingDepth), "body")).Errors[0].Key);
        Assert.Contains("nested deeper than 32", Assert.Throws<ConfigRejectedException>(() => ConfigFileReader.Parse(Yaml(ConfigLimits.MaxNestingDepth + 1), "body")).Message);
        Assert.Contains("depth of 32", Assert.Throws<ConfigRejectedException>(() => ConfigFileReader.Parse(Json(ConfigLimits.MaxNestingDepth + 1), "body")).Message);
    }

    [Fact]
    public void AliasBomb_IsRefusedAtItsFirstAnchor_BeforeAnythingExpands()
    {
        // 520 bytes that expand to 9^9 strings when aliases are resolved (it took the process past 6 GB).
        var bomb = new System.Text.StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (var c = 'b'; c <= 'i'; c++)
        {
            var prev = (char)(c - 1);
            bomb.Append(c).Append(": &").Append(c).Append(" [").Append(string.Join(",", Enumerable.Repeat("*" + prev, 9))).Append("]\n");
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ConfigRejectedException>(() => ConfigFileReader.Parse(bomb.ToString(), "body"));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "parsing allocated more than 1 MB");
        Assert.Contains("line 1", e.Message);
        Assert.Contains("anchors are not allowed", e.Message);
    }

    [Theory]
    [InlineData("mesh: demo\npeers: *p\n", "line 2", "aliases are not allowed")]
    [InlineData("mesh: demo\nhotPath: &h\n  batchSize: 5\n", "line 2", "anchors are not allowed")]
    [InlineData("mesh: &m demo\n", "line 1", "anchors are not allowed")]
    [InlineData("mesh: demo\n---\nmesh: other\n", "line 2", "one YAML document")]
    [InlineData("? [a]\n: b\n", "line 1", "keys must be scalars")]
    [InlineData("mesh: a\nmesh: b\n", "line 2", "duplicate key 'mesh'")]
    public void YamlFeaturesAConfigDoesNotNeed_AreRefused_NamingTheLine(string yaml, string line, string mention)
    {
        var e = Assert.Throws<ConfigRejectedException>(() => ConfigFileReader.Parse(yaml, "--config"));
        Assert.Contains(line, e.Message);
        Assert.Contains(mention, e.Message);
    }

    [Fact]
    public void DuplicateJsonMembers_AreRefused()
    {
        var e = Assert.Throws<ConfigRejectedException>(() => ConfigFileReader.Parse("{\"mesh\": \"a\", \"mesh\": \"b\"}", "body"));
        Assert.Contains("malformed JSON", e.Message);
    }

    [Fact]
    public void DocumentsLargerThanOneMebibyte_AreRefused_FromTheFileToo()
    {
        var big = "mesh: demo\n" + string.Concat(Enumerable.Repeat("# padding padding padding padding padding padding\n", 22_000));
        Assert.True(big.Length > ConfigLimits.MaxDocumentBytes);
        Assert.Contains("larger than 1048576 bytes", Assert.Throws<ConfigRejectedException>(() => ConfigFileReader.Parse(big, "body")).Message);

        var path = Path.Combine(Path.GetTempPath(), $"k8srepl-big-{Guid.NewGuid():N}.yaml");
        try
        {
            File.WriteAllText(path, big);
            var e = Assert.Throws<ConfigRejectedException>(() => ConfigFileReader.ReadFile(path));
            Assert.Equal("--config", e.Errors[0].Key);
            Assert.Contains("larger than 1048576 bytes", e.Message);

            File.WriteAllText(path, "\uFEFFmesh: demo\n");
            Assert.Equal("demo", ConfigFileReader.ReadFile(path).Mesh);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("{\"NAME\": 1}")]
    [InlineData("NAME: 1\n")]
    [InlineData("nodeName: 1\nantiEntropy:\n  interval: \"NAME\"\n")]
    public void ErrorsQuoteAtMostAHundredCharactersOfInput_WithControlCharactersEscaped(string template)
    {
        var hostile = "\u001b[2J" + new string('x', 50_000);

        // Whichever stage refuses it (the parser, the deserializer, the validator), the error is bounded and clean.
        var e = Assert.Throws<ConfigRejectedException>(() => ParseAndValidate(template.Replace("NAME", hostile, StringComparison.Ordinal)));
        foreach (var error in e.Errors)
        {
            Assert.DoesNotContain(error.Key + error.Message, char.IsControl);
            Assert.True(error.Key.Length <= 130 && error.Message.Length <= 400, $"{error.Key.Length} + {error.Message.Length} characters echoed");
        }
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

    private static void ParseAndValidate(string text)
    {
        var config = ConfigFileReader.Parse(text, "body");
        var errors = SidecarConfigValidator.Validate(config with { Database = "d.db" }, out _);
        throw new ConfigRejectedException(errors);
    }
}
