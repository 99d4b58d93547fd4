using K8sReplication.Contracts.Config;
using K8sReplication.Contracts.Mesh;
using K8sReplication.Operator.Mesh;

namespace K8sReplication.Operator.Tests.Mesh;

public sealed class DesiredConfigTests
{
    private static readonly ReplicationMeshSpec Spec = new()
    {
        Selector = new LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "shop" } },
        Database = new DatabaseSpec { Path = "/data/shop.db", Tables = ["orders"] },
        AntiEntropy = new AntiEntropySpec { Interval = "10s" },
    };

    [Fact]
    public void ForMember_CarriesMeshPeersTablesAndTunables_ButNoSidecarLocalSettings()
    {
        var config = DesiredConfig.ForMember("shop", 4, Spec, [new PeerConfig { Name = "b", Url = "http://10.0.0.2:8900" }]);

        Assert.Equal("shop", config.Mesh);
        Assert.Equal(4, config.Generation);
        Assert.Equal(["orders"], config.Tables);
        Assert.Equal("10s", config.AntiEntropy!.Interval);
        Assert.Equal("b", Assert.Single(config.Peers!).Name);
        Assert.Null(config.Database);
        Assert.Null(config.TokenFile);
        Assert.Null(config.NodeName);
        Assert.Null(config.Listen);
    }

    [Fact]
    public void ForMember_PassesConflictRetentionThrough_AndLeavesItUnsetWhenTheSpecHasNone()
    {
        var spec = Spec with { ConflictRetention = new ConflictRetentionSpec { MaxAge = "24h", MaxEntries = 500 } };

        var config = DesiredConfig.ForMember("shop", 1, spec, []);
        var unset = DesiredConfig.ForMember("shop", 1, Spec, []);

        Assert.Equal("24h", config.ConflictRetention!.MaxAge);
        Assert.Equal(500, config.ConflictRetention.MaxEntries);
        Assert.Null(unset.ConflictRetention);
    }

    [Fact]
    public void Fingerprint_SeesAConflictRetentionChange()
    {
        var before = new Dictionary<string, SidecarConfig> { ["a"] = DesiredConfig.ForMember("shop", 1, Spec, []) };
        var after = new Dictionary<string, SidecarConfig>
        {
            ["a"] = DesiredConfig.ForMember("shop", 1, Spec with { ConflictRetention = new ConflictRetentionSpec { MaxEntries = 10 } }, []),
        };

        Assert.NotEqual(DesiredConfig.Fingerprint(before), DesiredConfig.Fingerprint(after));
    }

    [Fact]
    public void Fingerprint_IgnoresGeneration_ButSeesPeerChanges()
    {
        var peers = new[] { new PeerConfig { Name = "b", Url = "http://b:8900" } };
        var a1 = new Dictionary<string, SidecarConfig> { ["a"] = DesiredConfig.ForMember("shop", 1, Spec, peers) };
        var a2 = new Dictionary<string, SidecarConfig> { ["a"] = DesiredConfig.ForMember("shop", 2, Spec, peers) };
        var moved = new Dictionary<string, SidecarConfig> { ["a"] = DesiredConfig.ForMember("shop", 1, Spec, [new PeerConfig { Name = "b", Url = "http://b2:8900" }]) };

        Assert.Equal(DesiredConfig.Fingerprint(a1), DesiredConfig.Fingerprint(a2));
        Assert.NotEqual(DesiredConfig.Fingerprint(a1), DesiredConfig.Fingerprint(moved));
    }

    [Fact]
    public void MeshConfig_CarriesTheBackupPrefix_AndOnlyPushesCarryTheCredentials()
    {
        var spec = Spec with { Backup = new BackupSpec { Url = "s3://bucket/p/", Interval = "5s" } };
        var members = new[] { new MeshMemberEndpoint("a", "http://10.0.0.1:8900", "http://10.0.0.1:8901", false) };
        var credentials = new BackupCredentialsVerdict("s3", new BackupCredentials { AccessKeyId = "AKID", SecretAccessKey = "very-secret" }, "s3@1", null);

        var desired = DesiredMeshConfig.Build("apps", "shop", spec, members, credentials);
        var pushed = desired.ForPush("a", 3);

        Assert.Equal("s3://bucket/p/apps/shop/", desired.Configs["a"].Backup!.Url);
        Assert.Null(desired.Configs["a"].Backup!.Credentials);
        Assert.Equal((3L, "very-secret"), (pushed.Generation!.Value, pushed.Backup!.Credentials!.SecretAccessKey));
        Assert.Null(DesiredMeshConfig.Detached("apps", "shop", spec, 4).Backup);
    }

    [Fact]
    public void MeshFingerprint_MovesWithTheCredentialsSecretVersion_AndIsUnchangedWithoutBackup()
    {
        var spec = Spec with { Backup = new BackupSpec { Url = "s3://bucket" } };
        var members = new[] { new MeshMemberEndpoint("a", "http://10.0.0.1:8900", "http://10.0.0.1:8901", false) };
        BackupCredentialsVerdict Version(string v) => new("s3", new BackupCredentials { AccessKeyId = "k", SecretAccessKey = "s" }, v, null);

        var v1 = DesiredMeshConfig.Build("apps", "shop", spec, members, Version("s3@1")).Fingerprint;
        var v2 = DesiredMeshConfig.Build("apps", "shop", spec, members, Version("s3@2")).Fingerprint;
        var plain = DesiredMeshConfig.Build("apps", "shop", Spec, members, Version("s3@2")).Fingerprint;

        Assert.NotEqual(v1, v2);
        Assert.Equal(DesiredConfig.Fingerprint(DesiredMeshConfig.Build("apps", "shop", Spec, members).Configs), plain);
    }

    [Fact]
    public void MeshMovingToTls_TlsMembersGetOnlyTlsPeers_PlainMembersGetEveryPeer()
    {
        var members = new[]
        {
            new MeshMemberEndpoint("a", "https://10.0.0.1:8900", "http://10.0.0.1:8901", false),
            new MeshMemberEndpoint("b", "https://10.0.0.2:8900", "http://10.0.0.2:8901", false),
            new MeshMemberEndpoint("c", "http://10.0.0.3:8900", "http://10.0.0.3:8901", false),
        };

        var desired = DesiredMeshConfig.Build("apps", "shop", Spec, members);

        Assert.Equal(["https://10.0.0.2:8900"], desired.Configs["a"].Peers!.Select(p => p.Url));
        Assert.Equal(["https://10.0.0.1:8900", "https://10.0.0.2:8900"], desired.Configs["c"].Peers!.Select(p => p.Url));
    }

    [Fact]
    public void RedisTransport_CarriesUrlPrefixAndLength_DefaultPrefixNamesTheNamespace_NeverAPasswordFile()
    {
        var redis = Spec with
        {
            HotPath = new HotPathSpec
            {
                Transport = HotPathTransport.Redis,
                Redis = new RedisTransportSpec { Url = "redis://redis.shop:6379/0", SecretRef = new RedisSecretReference { Name = "redis-auth" }, StreamMaxLen = 5000 },
            },
        };

        var config = DesiredConfig.ForMember("shop", 1, redis, [], "team-a");
        Assert.Equal("redis", config.HotPath!.Transport);
        Assert.Equal("redis://redis.shop:6379/0", config.HotPath.Redis!.Url);
        Assert.Equal("k8srepl:team-a:", config.HotPath.Redis.KeyPrefix);
        Assert.Equal(5000, config.HotPath.Redis.StreamMaxLen);
        Assert.Null(config.HotPath.Redis.PasswordFile);
        Assert.Null(config.HotPath.Redis.CaFile);

        var prefixed = DesiredConfig.ForMember("shop", 1, redis with { HotPath = redis.HotPath with { Redis = redis.HotPath.Redis with { KeyPrefix = "edge:" } } }, [], "team-a");
        Assert.Equal("edge:", prefixed.HotPath!.Redis!.KeyPrefix);

        var http = DesiredConfig.ForMember("shop", 1, Spec, [], "team-a");
        Assert.Null(http.HotPath!.Transport);
        Assert.Null(http.HotPath.Redis);
    }
}
