using static K8sReplication.Sidecar.Tests.Storage.ChangeFactory;

namespace K8sReplication.Sidecar.Tests.Storage;

/// <summary>The store's writer never checkpoints inside its commits; the checkpointer beside it does.</summary>
public sealed class WalCheckpointTests
{
    [Fact]
    public void AppliedBatches_LeaveTheWalToTheCheckpointer_WhichCopiesItAll()
    {
        using var r = new TestReplica();
        var blob = new string('x', 2000);
        for (var batch = 0; batch < 20; batch++)
        {
            // 20 × 200 rows of 2 KB: several thousand WAL pages, past SQLite's automatic threshold of 1,000.
            var changes = Enumerable.Range(0, 200).Select(i => Kv($"k{batch}-{i}", blob, NowHlc(), SiteA)).ToList();
            Assert.Equal(200, r.Store.ApplyBatch(changes, "peer", batch.ToString(System.Globalization.CultureInfo.InvariantCulture)).Applied);
        }

        var (walFrames, checkpointed) = r.Store.CheckpointIfWritten();
        Assert.True(walFrames > 1000, $"the writer checkpointed by itself: {walFrames} frames left in the WAL");
        Assert.Equal(walFrames, checkpointed);
        Assert.Equal((0L, 0L), r.Store.CheckpointIfWritten()); // nothing committed since
    }
}
