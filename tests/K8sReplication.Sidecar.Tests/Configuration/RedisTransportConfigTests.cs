using K8sReplication.Contracts.Config;
using K8sReplication.Sidecar.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace K8sReplication.Sidecar.Tests.Configuration;

public sealed class RedisTransportConfigTests
{
    private static readonly SidecarConfig Valid = new() { Database = "/d.db", NodeName = "me" };

    private static SidecarConfig Redis(string? url, long? maxLen = null, string? prefix = null) => Valid with
    {
        HotPath = new HotPathConfig { Transport = "redis", Redis = new RedisTransportConfig { Url = url, StreamMaxLen = maxLen, KeyPrefix = prefix } },
    };

    [Fact]
    public void DefaultTransport_IsHttp_WithNoRedisSettings()
    {
        Assert.Empty(SidecarConfigValidator.Validate(Valid, out var s));
        Assert.Null(s!.Redis);
    }

    [Fact]
    public void RedisUrl_WithUserAndPassword_IsParsed_AndItsDisplayHidesThePassword()
    {
        Assert.Empty(SidecarConfigValidator.Validate(Redis("rediss://app:p%40ss@redis.example:6380/2"), out var s));
        var redis = s!.Redis!;
        Assert.Equal(("redis.example", 6380, true, "app", "p@ss", 2), (redis.Host, redis.Port, redis.Tls, redis.User, redis.Password, redis.Database));
        Assert.Equal("rediss://app:***@redis.example:6380/2", redis.Display);
        Assert.DoesNotContain("p@ss", redis.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("p@ss", s.ToString(), StringComparison.Ordinal);
        Assert.Equal(RedisTransportConfig.DefaultKeyPrefix, redis.KeyPrefix);
        Assert.Equal(RedisTransportConfig.DefaultStreamMaxLen, redis.StreamMaxLen);
        Assert.Equal("k8srepl:shop:abc", redis.StreamKey("shop", "abc"));
    }

    [Fact]
    public void RedisUrl_WithAPasswordOnly_AndNoPort_UsesTheDefaultPort()
    {
        Assert.Empty(SidecarConfigValidator.Validate(Redis("redis://secret@localhost"), out var s));
        Assert.Equal((null, "secret", 6379, false), (s!.Redis!.User, s.Redis.Password, s.Redis.Port, s.Redis.Tls));
        Assert.Equal("redis://***@localhost:6379/0", s.Redis.Display);
    }

    [Theory]
    [InlineData("http://localhost:6379")]
    [InlineData("localhost:6379")]
    [InlineData("redis://localhost/x")]
    [InlineData("redis://localhost/99")]
    public void BadRedisUrl_IsRefused_NamingTheKey_WithoutQuotingTheUrl(string url)
    {
        var errors = SidecarConfigValidator.Validate(Redis(url), out var s);

        Assert.Null(s);
        var error = Assert.Single(errors);
        Assert.Equal("hotPath.redis.url", error.Key);
    }

    [Fact]
    public void RedisTransport_WithoutUrl_IsRefused_NamingTheFlag()
    {
        var error = Assert.Single(SidecarConfigValidator.Validate(Redis(null), out _));
        Assert.Equal("hotPath.redis.url", error.Key);
        Assert.Contains("--redis-url", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownTransport_IsRefused_NamingTheKeyAndFlag()
    {
        var error = Assert.Single(SidecarConfigValidator.Validate(Valid with { HotPath = new HotPathConfig { Transport = "kafka" } }, out _));
        Assert.Equal("hotPath.transport", error.Key);
        Assert.Contains("--transport", error.Message, StringComparison.Ordinal);
        Assert.Contains("'kafka'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SmallStreamMaxLen_AndBadPrefix_AreRefused_NamingTheirKeys()
    {
        var errors = SidecarConfigValidator.Validate(Redis("redis://localhost", maxLen: 10, prefix: "a b"), out _);

        Assert.Equal(["hotPath.redis.keyPrefix", "hotPath.redis.streamMaxLen"], errors.Select(e => e.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Flags_SetTransportAndRedis_AndANonNumericMaxLenIsRefused()
    {
        var errors = new List<ConfigError>();
        var parsed = CommandLineParser.Parse(
            ["--transport", "redis", "--redis-url", "redis://h:1", "--redis-key-prefix", "p:", "--redis-password-file", "/s/pw", "--redis-stream-max-len", "5000"], errors);

        Assert.Empty(errors);
        var hot = parsed.Config.HotPath!;
        Assert.Equal(("redis", "redis://h:1", "p:", "/s/pw", 5000L), (hot.Transport, hot.Redis!.Url, hot.Redis.KeyPrefix, hot.Redis.PasswordFile, hot.Redis.StreamMaxLen));

        var bad = CommandLineParser.Parse(["--database", "/d.db", "--node-name", "me", "--transport", "redis", "--redis-url", "redis://h", "--redis-stream-max-len", "lots"], errors);
        var error = Assert.Single(SidecarConfigValidator.Validate(bad.Config, out _));
        Assert.Equal("hotPath.redis.streamMaxLen", error.Key);
    }

    [Fact]
    public void Environment_MirrorsTheFlags()
    {
        var variables = new Dictionary<string, string>
        {
            ["K8SREPL_TRANSPORT"] = "redis",
            ["K8SREPL_REDIS_URL"] = "redis://h:1",
            ["K8SREPL_REDIS_CA_FILE"] = "/ca.pem",
        };
        var parsed = EnvironmentConfigReader.Read(name => variables.GetValueOrDefault(name), []);

        Assert.Equal(("redis", "redis://h:1", "/ca.pem"), (parsed.Config.HotPath!.Transport, parsed.Config.HotPath.Redis!.Url, parsed.Config.HotPath.Redis.CaFile));
    }

    [Fact]
    public void Layering_KeepsTheLowerLayersRedisFields_AHigherLayerDidNotSet()
    {
        var merged = ConfigLayering.Merge(
            new SidecarConfig { HotPath = new HotPathConfig { Transport = "redis", Redis = new RedisTransportConfig { Url = "redis://a", PasswordFile = "/pw" } } },
            new SidecarConfig { HotPath = new HotPathConfig { BatchSize = 10, Redis = new RedisTransportConfig { StreamMaxLen = 5000 } } });

        Assert.Equal(("redis", "redis://a", "/pw", 5000L, 10), (merged.HotPath!.Transport, merged.HotPath.Redis!.Url, merged.HotPath.Redis.PasswordFile, merged.HotPath.Redis.StreamMaxLen, merged.HotPath.BatchSize));
    }

    [Fact]
    public void PushSwitchingTheTransport_IsApplied_AndPendsARestartUntilItIsUndone()
    {
        var live = LiveConfig.Load(["--database", "x.db", "--node-name", "me"], _ => null, NullLogger.Instance);
        Assert.Empty(live.PendingRestart);

        var toRedis = new SidecarConfig
        {
            Generation = 2,
            HotPath = new HotPathConfig { Transport = "redis", Redis = new RedisTransportConfig { Url = "redis://r:6379", KeyPrefix = "k8srepl:team-a:" } },
        };
        Assert.Equal(PushOutcome.Applied, live.Push(toRedis, out _));
        Assert.Equal(2, live.Current.Generation);
        Assert.Equal(["hotPath.transport"], live.PendingRestart);
        Assert.Null(live.Startup.Redis);

        Assert.Equal(PushOutcome.Applied, live.Push(new SidecarConfig { Generation = 3, HotPath = new HotPathConfig { Transport = "http" } }, out _));
        Assert.Empty(live.PendingRestart);
    }

    [Fact]
    public void PushMovingTheRedisLink_PendsARestartNamingEachKey()
    {
        var live = LiveConfig.Load(["--database", "x.db", "--node-name", "me", "--transport", "redis", "--redis-url", "redis://r:6379"], _ => null, NullLogger.Instance);
        var moved = new SidecarConfig
        {
            Generation = 2,
            HotPath = new HotPathConfig { Redis = new RedisTransportConfig { Url = "redis://other:6379", KeyPrefix = "edge:", StreamMaxLen = 5000 } },
        };

        Assert.Equal(PushOutcome.Applied, live.Push(moved, out _));
        Assert.Equal(["hotPath.redis.url", "hotPath.redis.keyPrefix", "hotPath.redis.streamMaxLen"], live.PendingRestart);
    }

    [Theory]
    [InlineData("passwordFile")]
    [InlineData("caFile")]
    public void PushNamingAnotherRedisPasswordOrCaFile_IsRefused(string field)
    {
        var live = LiveConfig.Load(
            ["--database", "x.db", "--node-name", "me", "--transport", "redis", "--redis-url", "rediss://r:6379", "--redis-password-file", "/p", "--redis-ca-file", "/ca"],
            _ => null, NullLogger.Instance);
        var redis = field == "passwordFile"
            ? new RedisTransportConfig { Url = "rediss://attacker:6379", PasswordFile = "/var/run/secrets/k8srepl/token" }
            : new RedisTransportConfig { Url = "rediss://attacker:6379", CaFile = "/other" };

        Assert.Equal(PushOutcome.Invalid, live.Push(new SidecarConfig { Generation = 2, HotPath = new HotPathConfig { Redis = redis } }, out var errors));
        Assert.Equal("hotPath.redis." + field, Assert.Single(errors).Key);
        Assert.Equal("/p", live.Current.Redis!.PasswordFile);
        Assert.Equal(0, live.Current.Generation);
    }
}
