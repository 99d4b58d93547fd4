using K8sReplication.Contracts.Config;
using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Hosting;
using K8sReplication.Sidecar.Storage;
using K8sReplication.Sidecar.Tests.Storage;
using K8sReplication.TestKit;
using K8sReplication.TestKit.Time;
using Microsoft.Extensions.Logging.Abstractions;

namespace K8sReplication.Sidecar.Tests.Hosting;

public sealed class ConflictLogPrunerTests
{
    [Fact]
    public async Task Pruner_PutsTheConfiguredRetentionInForce_FollowsPushes_AndRemovesEntriesPastMaxAgeWithoutNewConflicts()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        using var r = new TestReplica(timeProvider: time);
        var file = Path.Combine(r.Database.Folder, "sidecar.yaml");
        await File.WriteAllTextAsync(file, "conflictRetention:\n  maxAge: 1h\n  maxEntries: 50\n");
        var config = LiveConfig.Load(["--database", r.Database.FilePath, "--node-name", "me", "--config", file], _ => null, NullLogger.Instance);
        var replica = new StoreAccess();
        replica.Publish(r.Store);
        ConflictLogTests.LoseLocalWrite(r, "a", "mine", "theirs", ConflictLogTests.Ahead(1));
        using var pruner = new ConflictLogPruner(replica, config, time, NullLogger<ConflictLogPruner>.Instance);

        await pruner.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.TrueAsync(() => r.Store.ConflictRetention == new ConflictRetention(TimeSpan.FromHours(1), 50),
                TimeSpan.FromSeconds(10), "the configured retention is put in force");
            Assert.Equal(1, r.Store.ConflictCount());

            // A minute at a time, so a tick falls due whenever the loop's timer was created.
            time.Advance(TimeSpan.FromMinutes(59));
            await Eventually.TrueAsync(() =>
            {
                time.Advance(TimeSpan.FromMinutes(1));
                return r.Store.ConflictCount() == 0;
            }, TimeSpan.FromSeconds(10), "the entry older than maxAge is pruned with no new conflict");

            Assert.Equal(PushOutcome.Applied, config.Push(new SidecarConfig { Generation = 1, ConflictRetention = new ConflictRetentionConfig { MaxEntries = 3 } }, out _));
            Assert.Equal(new ConflictRetention(TimeSpan.FromHours(1), 3), r.Store.ConflictRetention);
        }
        finally
        {
            await pruner.StopAsync(CancellationToken.None);
        }
    }
}
