using K8sReplication.Contracts;
using K8sReplication.Sidecar.Configuration;

namespace K8sReplication.Sidecar.Tests.Configuration;

public sealed class CommandLineParserTests
{
    [Fact]
    public void EveryFlag_IsParsed_InBothSpellings()
    {
        var errors = new List<ConfigError>();
        var parsed = CommandLineParser.Parse(
        [
            "--database", "/data/app.db", "--tables=a,b", "--node-name", "pod-0", "--listen", "127.0.0.1:0",
            "--admin-listen=127.0.0.1:0", "--peer", "p1=http://10.0.0.1:8900", "--peer=p2=http://10.0.0.2:8900",
            "--config", "/etc/c.yaml", "--token-file", "/t", "--anti-entropy-interval", "5s", "--state-dir", "/s",
        ], errors);
        Assert.Empty(errors);
        var c = parsed.Config;
        Assert.Equal("/data/app.db", c.Database);
        Assert.Equal(["a", "b"], c.Tables);
        Assert.Equal("pod-0", c.NodeName);
        Assert.Equal("127.0.0.1:0", c.Listen);
        Assert.Equal("127.0.0.1:0", c.AdminListen);
        Assert.Equal(["p1", "p2"], c.Peers!.Select(p => p.Name));
        Assert.Equal("http://10.0.0.2:8900", c.Peers![1].Url);
        Assert.Equal("/etc/c.yaml", parsed.ConfigFile);
        Assert.Equal("/t", c.TokenFile);
        Assert.Equal("5s", c.AntiEntropy!.Interval);
        Assert.Equal("/s", c.StateDir);
    }

    [Fact]
    public void BackupFlags_AndTheirVariables_FillTheBackupSection()
    {
        var errors = new List<ConfigError>();
        var flags = CommandLineParser.Parse(
        [
            "--backup-url", "s3://bucket/prefix", "--backup-endpoint=http://minio:9000", "--backup-interval", "5s",
            "--snapshot-interval", "12h", "--backup-retention", "720h",
        ], errors).Config.Backup!;
        var env = new Dictionary<string, string>
        {
            [EnvVars.BackupUrl] = "s3://bucket/prefix",
            [EnvVars.BackupEndpoint] = "http://minio:9000",
            [EnvVars.BackupInterval] = "5s",
            [EnvVars.SnapshotInterval] = "12h",
            [EnvVars.BackupRetention] = "720h",
        };
        var variables = EnvironmentConfigReader.Read(k => env.GetValueOrDefault(k), errors).Config.Backup!;

        Assert.Empty(errors);
        Assert.Equal(flags, variables);
        Assert.Equal(("s3://bucket/prefix", "http://minio:9000", "5s", "12h", "720h"),
            (flags.Url, flags.Endpoint, flags.Interval, flags.SnapshotInterval, flags.Retention));
        Assert.Null(CommandLineParser.Parse(["--database", "/d.db"], errors).Config.Backup);
    }

    [Theory]
    [InlineData(new[] { "--nope", "x" }, "--nope", "unknown flag")]
    [InlineData(new[] { "--database" }, "--database", "needs a value")]
    [InlineData(new[] { "--database", "a", "--database", "b" }, "--database", "more than once")]
    [InlineData(new[] { "--peer", "novalue" }, "--peer", "NAME=URL")]
    [InlineData(new[] { "--listen", "--database", "x" }, "--listen", "needs a value")]
    public void BadFlags_AreReported_WithTheFlag(string[] args, string key, string message)
    {
        var errors = new List<ConfigError>();
        CommandLineParser.Parse(args, errors);
        var error = Assert.Single(errors);
        Assert.Equal(key, error.Key);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void EnvironmentVariables_MirrorTheFlags()
    {
        var env = new Dictionary<string, string>
        {
            [EnvVars.Database] = "/e.db",
            [EnvVars.Peers] = "a=http://a:1, b=http://b:2",
            [EnvVars.AntiEntropyInterval] = "2m",
            [EnvVars.ConfigFile] = "/c.json",
        };
        var errors = new List<ConfigError>();
        var parsed = EnvironmentConfigReader.Read(k => env.GetValueOrDefault(k), errors);
        Assert.Empty(errors);
        Assert.Equal("/e.db", parsed.Config.Database);
        Assert.Equal(["a", "b"], parsed.Config.Peers!.Select(p => p.Name));
        Assert.Equal("2m", parsed.Config.AntiEntropy!.Interval);
        Assert.Equal("/c.json", parsed.ConfigFile);
    }
}
