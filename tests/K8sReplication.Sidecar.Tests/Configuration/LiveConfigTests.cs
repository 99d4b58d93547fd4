using K8sReplication.Contracts.Config;
using K8sReplication.Sidecar.Configuration;
using K8sReplication.TestKit.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace K8sReplication.Sidecar.Tests.Configuration;

public sealed class LiveConfigTests : IDisposable
{
    private readonly TempDatabase _folder = new();

    private string StateDir => Path.Combine(_folder.Folder, "state");

    public void Dispose() => _folder.Dispose();

    private LiveConfig Load(params string[] extra) =>
        LiveConfig.Load(["--database", "x.db", "--node-name", "me", "--state-dir", StateDir, .. extra], _ => null, NullLogger.Instance);

    [Fact]
    public void Push_AppliesPeers_RefusesOlderGenerations_AndAcceptsLocalFieldsRepeatingTheValueInForce()
    {
        var live = Load();
        SidecarSettings? changed = null;
        live.Changed += s => changed = s;
        var outcome = live.Push(new SidecarConfig { Generation = 5, Database = "x.db", StateDir = StateDir, Listen = "0.0.0.0:8900", AdminListen = "0.0.0.0:8901", TokenFile = "", Peers = [new PeerConfig { Name = "b", Url = "http://b:1" }] }, out _);
        Assert.Equal(PushOutcome.Applied, outcome);
        Assert.Equal(5, changed!.Generation);
        Assert.Equal("x.db", live.Current.Database);
        Assert.Single(live.Current.Peers);

        Assert.Equal(PushOutcome.StaleGeneration, live.Push(new SidecarConfig { Generation = 4 }, out var errors));
        Assert.Equal("generation", errors[0].Key);
        Assert.Equal(5, live.Current.Generation);
    }

    [Theory]
    [InlineData("database")]
    [InlineData("listen")]
    [InlineData("adminListen")]
    [InlineData("tokenFile")]
    [InlineData("stateDir")]
    public void PushChangingASidecarLocalField_IsRefused_NamingIt(string key)
    {
        var live = Load();
        var pushed = new SidecarConfig { Generation = 5, Peers = [new PeerConfig { Name = "b", Url = "http://b:1" }] };
        pushed = key switch
        {
            "database" => pushed with { Database = "other.db" },
            "listen" => pushed with { Listen = "127.0.0.1:9999" },
            "adminListen" => pushed with { AdminListen = "127.0.0.1:9998" },
            "tokenFile" => pushed with { TokenFile = "/etc/other-token" },
            _ => pushed with { StateDir = "/elsewhere" },
        };

        Assert.Equal(PushOutcome.Invalid, live.Push(pushed, out var errors));
        Assert.Equal(key, Assert.Single(errors).Key);
        Assert.Contains("cannot change", errors[0].Message);
        Assert.Equal(0, live.Current.Generation);
        Assert.Empty(live.Current.Peers);
    }

    [Fact]
    public void PushWithoutGeneration_KeepsTheGenerationInForce_SoAnOlderPushStaysStale()
    {
        var live = Load();
        Assert.Equal(PushOutcome.Applied, live.Push(new SidecarConfig { Generation = 5 }, out _));
        Assert.Equal(PushOutcome.Applied, live.Push(new SidecarConfig { Paused = true }, out _));
        Assert.Equal(5, live.Current.Generation);
        Assert.True(live.Current.Paused);

        Assert.Equal(PushOutcome.StaleGeneration, live.Push(new SidecarConfig { Generation = 4 }, out _));
        Assert.Equal(5, Load().Current.Generation);
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(long.MaxValue)]
    [InlineData(GenerationRule.Max + 1)]
    [InlineData(5 + GenerationRule.MaxStep + 1)]
    public void ImplausibleGenerations_AreRefused_AsBadInputNotStale(long generation)
    {
        var live = Load();
        live.Push(new SidecarConfig { Generation = 5 }, out _);
        Assert.Equal(PushOutcome.Invalid, live.Push(new SidecarConfig { Generation = generation }, out var errors));
        Assert.Equal("generation", Assert.Single(errors).Key);
        Assert.Equal(5, live.Current.Generation);

        // The operator's next honest push still lands, and so does the largest plausible step.
        Assert.Equal(PushOutcome.Applied, live.Push(new SidecarConfig { Generation = 6 }, out _));
        Assert.Equal(PushOutcome.Applied, live.Push(new SidecarConfig { Generation = 6 + GenerationRule.MaxStep }, out _));
    }

    [Theory]
    [InlineData(9_223_372_036_854_775_807L)]
    [InlineData(-3L)]
    [InlineData(GenerationRule.MaxStep + 1)]
    public void PersistedPushWithAnImplausibleGeneration_IsNotRestored(long generation)
    {
        Directory.CreateDirectory(StateDir);
        File.WriteAllText(Path.Combine(StateDir, LiveConfig.PersistedFileName),
            $$"""{"generation": {{generation}}, "peers": [{"name": "b", "url": "http://b:1"}]}""");
        var live = Load();
        Assert.Equal(0, live.Current.Generation);
        Assert.Empty(live.Current.Peers);
        Assert.Equal(PushOutcome.Applied, live.Push(new SidecarConfig { Generation = 1 }, out _));
    }

    [Fact]
    public void InvalidPush_IsRejected_AndTheOldConfigStays()
    {
        var live = Load();
        live.Push(new SidecarConfig { Generation = 1, Peers = [new PeerConfig { Name = "b", Url = "http://b:1" }] }, out _);
        Assert.Equal(PushOutcome.Invalid, live.Push(new SidecarConfig { Generation = 2, HotPath = new HotPathConfig { BatchSize = -1 } }, out var errors));
        Assert.Equal("hotPath.batchSize", errors[0].Key);
        Assert.Equal(1, live.Current.Generation);
        Assert.Single(live.Current.Peers);
    }

    [Fact]
    public void ConflictRetention_PushedHalfLayersOverTheFile_AndABadValueChangesNothing()
    {
        var file = Path.Combine(_folder.Folder, "sidecar.yaml");
        File.WriteAllText(file, "conflictRetention:\n  maxAge: 24h\n  maxEntries: 50\n");
        var live = Load("--config", file);
        Assert.Equal(TimeSpan.FromHours(24), live.Current.ConflictMaxAge);
        Assert.Equal(50, live.Current.ConflictMaxEntries);

        Assert.Equal(PushOutcome.Applied, live.Push(new SidecarConfig { Generation = 1, ConflictRetention = new ConflictRetentionConfig { MaxEntries = 7 } }, out _));
        Assert.Equal(TimeSpan.FromHours(24), live.Current.ConflictMaxAge);
        Assert.Equal(7, live.Current.ConflictMaxEntries);

        Assert.Equal(PushOutcome.Invalid, live.Push(new SidecarConfig { Generation = 2, ConflictRetention = new ConflictRetentionConfig { MaxAge = "1s" } }, out var errors));
        Assert.Equal("conflictRetention.maxAge", Assert.Single(errors).Key);
        Assert.Equal(1, live.Current.Generation);
        Assert.Equal(TimeSpan.FromHours(24), live.Current.ConflictMaxAge);
        Assert.Equal(7, live.Current.ConflictMaxEntries);
    }

    [Fact]
    public void LastGoodPush_IsPersisted_AndRestoredOnRestart()
    {
        Load().Push(new SidecarConfig { Generation = 7, Peers = [new PeerConfig { Name = "b", Url = "http://b:1" }] }, out _);
        Assert.True(File.Exists(Path.Combine(StateDir, LiveConfig.PersistedFileName)));
        var restarted = Load();
        Assert.Equal(7, restarted.Current.Generation);
        Assert.Equal("b", Assert.Single(restarted.Current.Peers).Name);
    }

    [Fact]
    public void PushedBackupCredentials_SurviveARestart_InAnOwnerOnlyFile()
    {
        var credentials = new BackupCredentials { AccessKeyId = "AKID", SecretAccessKey = "secret-value", Region = "eu-west-1" };
        Load().Push(new SidecarConfig { Generation = 3, Backup = new BackupConfig { Url = "s3://bucket/p/", Credentials = credentials } }, out _);

        var file = Path.Combine(StateDir, LiveConfig.PersistedFileName);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, OperatingSystem.IsWindows() ? UnixFileMode.None : File.GetUnixFileMode(file));
        Assert.Equal(credentials, Load().Current.Backup!.Credentials);
    }

    [Fact]
    public void FileReload_AppliesAValidFile_AndKeepsTheOldOneWhenInvalid()
    {
        var file = Path.Combine(_folder.Folder, "c.yaml");
        File.WriteAllText(file, "antiEntropy:\n  interval: 10s\n");
        var live = Load("--config", file);
        Assert.Equal(TimeSpan.FromSeconds(10), live.Current.AntiEntropyInterval);

        File.WriteAllText(file, "antiEntropy:\n  interval: 20s\n");
        Assert.Equal(PushOutcome.Applied, live.ReloadFile());
        Assert.Equal(TimeSpan.FromSeconds(20), live.Current.AntiEntropyInterval);
        Assert.Equal(PushOutcome.Unchanged, live.ReloadFile());

        File.WriteAllText(file, "antiEntropy:\n  interval: whenever\n");
        Assert.Equal(PushOutcome.Invalid, live.ReloadFile());
        Assert.Equal(TimeSpan.FromSeconds(20), live.Current.AntiEntropyInterval);
    }

    [Fact]
    public void ConfigFileNotYetPresent_StartsWithoutIt_AndAppliesItWhenItAppears()
    {
        var file = Path.Combine(_folder.Folder, "mesh", "me.json");
        var live = Load("--config", file);
        Assert.Equal(PushOutcome.Unchanged, live.ReloadFile());
        Assert.Empty(live.Current.Peers);

        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, """{"generation": 3, "peers": [{"name": "b", "url": "http://b:8900"}]}""");

        Assert.Equal(PushOutcome.Applied, live.ReloadFile());
        Assert.Equal(3, live.Current.Generation);
        Assert.Single(live.Current.Peers);
        File.Delete(file);
        Assert.Equal(PushOutcome.Unchanged, live.ReloadFile());
        Assert.Single(live.Current.Peers);
    }

    [Fact]
    public void OperatorFile_NewerThanTheLastPush_IsTheConfigInForce_AndAnOlderPushIsThenStale()
    {
        var file = Path.Combine(_folder.Folder, "mesh", "me.json");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var live = Load("--config", file);
        Assert.Equal(PushOutcome.Applied, live.Push(new SidecarConfig { Generation = 3, Peers = [new PeerConfig { Name = "b", Url = "http://b:8900" }] }, out _));

        // The operator moved on to generation 4 but its push did not arrive; the ConfigMap entry did.
        File.WriteAllText(file, """{"generation": 4, "peers": [{"name": "c", "url": "http://c:8900"}]}""");
        Assert.Equal(PushOutcome.Applied, live.ReloadFile());

        Assert.Equal(4, live.Current.Generation);
        Assert.Equal("c", Assert.Single(live.Current.Peers).Name);
        Assert.Equal(PushOutcome.StaleGeneration, live.Push(new SidecarConfig { Generation = 3 }, out _));
        Assert.Equal(PushOutcome.Applied, live.Push(new SidecarConfig { Generation = 5, Peers = [new PeerConfig { Name = "d", Url = "http://d:8900" }] }, out _));
        Assert.Equal("d", Assert.Single(live.Current.Peers).Name);

        // A restart: the persisted push (5) and the file (4) are the same two deliveries; the newer still wins.
        Assert.Equal("d", Assert.Single(Load("--config", file).Current.Peers).Name);
    }

    [Fact]
    public void OperatorFile_BeatsFlags_WhileAFileWithoutGenerationStaysUnderThem()
    {
        var file = Path.Combine(_folder.Folder, "c.yaml");
        File.WriteAllText(file, "antiEntropy:\n  interval: 10s\n");
        Assert.Equal(TimeSpan.FromSeconds(20), Load("--config", file, "--anti-entropy-interval", "20s").Current.AntiEntropyInterval);

        File.WriteAllText(file, "generation: 2\nantiEntropy:\n  interval: 10s\n");
        Assert.Equal(TimeSpan.FromSeconds(10), Load("--config", file, "--anti-entropy-interval", "20s").Current.AntiEntropyInterval);
    }

    [Fact]
    public void OperatorFile_NewerThanThePush_KeepsThePushedBackupCredentials()
    {
        var file = Path.Combine(_folder.Folder, "mesh", "me.json");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var live = Load("--config", file);
        var credentials = new BackupCredentials { AccessKeyId = "AKID", SecretAccessKey = "secret-value" };
        live.Push(new SidecarConfig { Generation = 3, Backup = new BackupConfig { Url = "s3://bucket/p/", Credentials = credentials } }, out _);

        File.WriteAllText(file, """{"generation": 4, "backup": {"url": "s3://bucket/p/", "interval": "20s"}}""");
        Assert.Equal(PushOutcome.Applied, live.ReloadFile());

        Assert.Equal(4, live.Current.Generation);
        Assert.Equal(credentials, live.Current.Backup!.Credentials);
    }

    [Fact]
    public void StartupErrors_FromEverySource_AreCollected()
    {
        var e = Assert.Throws<ConfigRejectedException>(() => LiveConfig.Load(["--nope", "1", "--peer", "bad"], _ => null, NullLogger.Instance));
        Assert.Equal(["--nope", "--peer"], e.Errors.Select(x => x.Key));
    }
}
