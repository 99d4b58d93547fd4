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
        Assert.Equal(TimeSpan.FromHours(168), s.ConflictMaxAge);
        Assert.Equal(100_000, s.ConflictMaxEntries);
    }

    [Fact]
    public void ConflictRetention_IsResolved_AndEachHalfIsOptional()
    {
        Assert.Empty(SidecarConfigValidator.Validate(Valid with { ConflictRetention = new ConflictRetentionConfig { MaxAge = "1m" } }, out var age));
        Assert.Equal(TimeSpan.FromMinutes(1), age!.ConflictMaxAge);
        Assert.Equal(100_000, age.ConflictMaxEntries);

        Assert.Empty(SidecarConfigValidator.Validate(Valid with { ConflictRetention = new ConflictRetentionConfig { MaxEntries = 10_000_000 } }, out var count));
        Assert.Equal(TimeSpan.FromHours(168), count!.ConflictMaxAge);
        Assert.Equal(10_000_000, count.ConflictMaxEntries);

        Assert.Empty(SidecarConfigValidator.Validate(Valid with { ConflictRetention = new ConflictRetentionConfig { MaxAge = "87600h", MaxEntries = 1 } }, out var both));
        Assert.Equal(TimeSpan.FromDays(3650), both!.ConflictMaxAge);
        Assert.Equal(1, both.ConflictMaxEntries);
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
        { Valid with { HotPath = new HotPathConfig { Niceness = 20 } }, "hotPath.niceness", "between 0 and 19" },
        { Valid with { HotPath = new HotPathConfig { Niceness = -1 } }, "hotPath.niceness", "between 0 and 19" },
        { Valid with { AntiEntropy = new AntiEntropyConfig { Interval = "soon" } }, "antiEntropy.interval", "not a duration" },
        { Valid with { AntiEntropy = new AntiEntropyConfig { Interval = "1ms" } }, "antiEntropy.interval", "outside" },
        { Valid with { AntiEntropy = new AntiEntropyConfig { Budget = 0 } }, "antiEntropy.budget", "at least 1" },
        { Valid with { AntiEntropy = new AntiEntropyConfig { Timeout = "-1s" } }, "antiEntropy.timeout", "not a duration" },
        { Valid with { MaxClockSkew = "5" }, "maxClockSkew", "not a duration" },
        { Valid with { TombstoneTtl = "500ms" }, "tombstoneTtl", "outside" },
        { Valid with { ConflictRetention = new ConflictRetentionConfig { MaxAge = "59s" } }, "conflictRetention.maxAge", "outside" },
        { Valid with { ConflictRetention = new ConflictRetentionConfig { MaxAge = "87601h" } }, "conflictRetention.maxAge", "outside" },
        { Valid with { ConflictRetention = new ConflictRetentionConfig { MaxAge = "a week" } }, "conflictRetention.maxAge", "not a duration" },
        { Valid with { ConflictRetention = new ConflictRetentionConfig { MaxEntries = 0 } }, "conflictRetention.maxEntries", "between 1 and 10000000" },
        { Valid with { ConflictRetention = new ConflictRetentionConfig { MaxEntries = 10_000_001 } }, "conflictRetention.maxEntries", "between 1 and 10000000" },
        { Valid with { Topology = (Topology)7 }, "topology", "unknown" },
        { Valid with { Backup = new BackupConfig { Interval = "5s" } }, "backup.url", "required" },
        { Valid with { Backup = new BackupConfig { Url = "ftp://bucket/x" } }, "backup.url", "must be file:///abs/path or s3://bucket[/prefix]" },
        { Valid with { Backup = new BackupConfig { Url = "file://relative/dir" } }, "backup.url", "three slashes" },
        { Valid with { Backup = new BackupConfig { Url = "s3://Bad_Bucket" } }, "backup.url", "bucket" },
        { Valid with { Backup = new BackupConfig { Url = "s3://bucket/a/../b" } }, "backup.url", "prefix" },
        { Valid with { Backup = new BackupConfig { Url = "file:///b", Endpoint = "http://minio:9000" } }, "backup.endpoint", "s3:// URLs only" },
        { Valid with { Backup = new BackupConfig { Url = "s3://bucket", Endpoint = "minio:9000" } }, "backup.endpoint", "http(s)" },
        { Valid with { Backup = new BackupConfig { Url = "s3://bucket", Interval = "10ms" } }, "backup.interval", "outside" },
        { Valid with { Backup = new BackupConfig { Url = "s3://bucket", SnapshotInterval = "daily" } }, "backup.snapshotInterval", "not a duration" },
        { Valid with { Backup = new BackupConfig { Url = "s3://bucket", Retention = "0s" } }, "backup.retention", "outside" },
        { Valid with { Backup = new BackupConfig { Url = "s3://bucket", Credentials = new BackupCredentials { AccessKeyId = "AKID" } } }, "backup.credentials", "both" },
        { Valid with { Generation = GenerationRule.Max + 1 }, "generation", "implausible" },
        { Valid with { Generation = long.MaxValue }, "generation", "implausible" },
        { Valid with { Tables = [new string('t', 254)] }, "tables[0]", "254 characters" },
        { Valid with { Tables = ["a\u001b[2Jb"] }, "tables[0]", "control characters" },
    };

    [Fact]
    public void Backup_IsResolved_WithTheDocumentedDefaults()
    {
        Assert.Null(Assert.IsType<SidecarSettings>(Validated(Valid)).Backup);
        var backup = Validated(Valid with { Backup = new BackupConfig { Url = "s3://bucket/backups/default/notes/" } }).Backup!;
        Assert.Equal((BackupStoreKind.S3, "bucket", "backups/default/notes/"), (backup.Location.Kind, backup.Location.Bucket, backup.Location.Root));
        Assert.Equal((TimeSpan.FromSeconds(10), TimeSpan.FromHours(24), TimeSpan.FromDays(7)), (backup.Interval, backup.SnapshotInterval, backup.Retention));
        Assert.Null(backup.Credentials);
        Assert.Equal("/var/backup/", Validated(Valid with { Backup = new BackupConfig { Url = "file:///var/backup" } }).Backup!.Location.Root);
    }

    private static SidecarSettings Validated(SidecarConfig config)
    {
        Assert.Empty(SidecarConfigValidator.Validate(config, out var settings));
        return settings!;
    }

    public static TheoryData<SidecarConfig, string, string> BadNames => new()
    {
        { Valid with { NodeName = new string('a', 500_000) }, "nodeName", "500000 characters" },
        { Valid with { NodeName = new string('a', 254) }, "nodeName", "limit is 253" },
        { Valid with { NodeName = "evil\u001b[31mred" }, "nodeName", "\\u001b" },
        { Valid with { NodeName = "line\nbreak" }, "nodeName", "\\u000a" },
        { Valid with { NodeName = "Upper-0" }, "nodeName", "DNS subdomain" },
        { Valid with { NodeName = "-dash" }, "nodeName", "DNS subdomain" },
        { Valid with { NodeName = "under_score" }, "nodeName", "DNS subdomain" },
        { Valid with { Mesh = "my mesh" }, "mesh", "DNS subdomain" },
        { Valid with { Mesh = new string('m', 300) }, "mesh", "limit is 253" },
        { Valid with { Peers = [new PeerConfig { Name = "ok", Url = "http://x:1" }, new PeerConfig { Name = "b\u0007ell", Url = "http://y:1" }] }, "peers[1].name", "\\u0007" },
        { Valid with { Peers = [new PeerConfig { Name = new string('p', 254), Url = "http://y:1" }] }, "peers[0].name", "limit is 253" },
    };

    [Theory]
    [MemberData(nameof(BadNames))]
    public void BadNames_AreRefused_WithTheKey_AndNeverEchoedRawOrWhole(SidecarConfig config, string key, string message)
    {
        var error = Assert.Single(SidecarConfigValidator.Validate(config, out _));
        Assert.Equal(key, error.Key);
        Assert.Contains(message, error.Message);
        Assert.DoesNotContain(error.Message, char.IsControl);
        Assert.True(error.Message.Length < 300, $"message is {error.Message.Length} characters long");
    }

    [Theory]
    [InlineData("notes-0")]
    [InlineData("a")]
    [InlineData("node-1")]
    [InlineData("007")]
    [InlineData("demo-0.demo.default.svc")]
    public void NamesTheSandboxTestsAndKubernetesUse_AreAccepted(string name)
    {
        var config = Valid with { NodeName = name, Mesh = name, Peers = [new PeerConfig { Name = name + "x", Url = "http://127.0.0.1:8900/" }] };
        Assert.Empty(SidecarConfigValidator.Validate(config, out _));
    }

    public static TheoryData<string, string> BadPeerUrls => new()
    {
        { "ftp://x", "http(s)" },
        { "not a url", "http(s)" },
        { "/relative", "http(s)" },
        { "http://169.254.169.254/", "link-local" },
        { "http://169.254.169.254.:80/", "link-local" },
        { "http://2852039166/", "link-local" },
        { "http://0xA9FEA9FE/", "link-local" },
        { "http://[fe80::1]:8900/", "link-local" },
        { "http://[febf::1]:8900/", "link-local" },
        { "http://[::ffff:169.254.1.1]:8900/", "link-local" },
        { "http://0.0.0.0:8900/", "unspecified" },
        { "http://[::]:8900/", "unspecified" },
        { "http://user:hunter2@10.0.0.7:8900/", "user info" },
        { "https://token@peer:8900", "user info" },
        { "http://10.0.0.7:8900/?x=1", "query or fragment" },
        { "http://10.0.0.7:8900/#frag", "query or fragment" },
        { "http://10.0.0.7:8900/?", "query or fragment" },
    };

    [Theory]
    [MemberData(nameof(BadPeerUrls))]
    public void BadPeerUrls_AreRefused_WithTheKey(string url, string message)
    {
        var config = Valid with { Peers = [new PeerConfig { Name = "a", Url = "http://10.0.0.1:8900" }, new PeerConfig { Name = "b", Url = url }] };
        var error = Assert.Single(SidecarConfigValidator.Validate(config, out _));
        Assert.Equal("peers[1].url", error.Key);
        Assert.Contains(message, error.Message);
        Assert.DoesNotContain("hunter2", error.Message);
        Assert.DoesNotContain("token@", error.Message);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8900/")]
    [InlineData("http://[::1]:8900")]
    [InlineData("http://10.244.1.7:8900")]
    [InlineData("https://notes-1.notes.default.svc:8900/")]
    [InlineData("http://169.253.255.255:8900")]
    [InlineData("http://[fec0::1]:8900")]
    [InlineData("http://metadata.google.internal/")]
    public void UsablePeerUrls_AreAccepted_LoopbackIncluded(string url)
    {
        Assert.Empty(SidecarConfigValidator.Validate(Valid with { Peers = [new PeerConfig { Name = "b", Url = url }] }, out var settings));
        Assert.Equal(new Uri(url), Assert.Single(settings!.Peers).Url);
    }

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
