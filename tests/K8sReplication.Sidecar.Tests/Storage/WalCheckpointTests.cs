using K8sReplication.TestKit.Sqlite;
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

    [Fact]
    public void LongWalFile_IsTruncated_OnlyWhenNoReaderUsesIt()
    {
        using var r = new TestReplica();
        WriteSeveralMegabytes(r);

        // A reader whose transaction began before the WAL was copied still reads from it: the truncate gives up at once.
        // (One that begins after the copy reads the database file alone and is no obstacle.)
        using (var reader = r.Database.OpenConnection())
        {
            reader.Execute("BEGIN");
            reader.Execute("SELECT count(*) FROM kv");
            r.Store.CheckpointIfWritten();
            var before = r.Store.FileSizes().WalBytes;
            Assert.True(before > 4 * 1024 * 1024, $"WAL file only {before} bytes");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            Assert.False(r.Store.TruncateWalIfLonger(4 * 1024 * 1024));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"the truncate waited {clock.Elapsed}");
            Assert.Equal(before, r.Store.FileSizes().WalBytes);
            reader.Execute("COMMIT");
        }

        Assert.True(r.Store.TruncateWalIfLonger(4 * 1024 * 1024));
        Assert.Equal(0, r.Store.FileSizes().WalBytes);
        Assert.False(r.Store.TruncateWalIfLonger(4 * 1024 * 1024)); // nothing left to truncate
        Assert.Equal(4000, r.Store.ReadChanges(0, 10_000).Changes.Count); // every row still there
    }

    [Fact]
    public void ShortWalFile_IsLeftAlone()
    {
        using var r = new TestReplica();
        Assert.Equal(1, r.Store.ApplyBatch([Kv("k", "v", NowHlc(), SiteA)], "peer", "1").Applied);
        r.Store.CheckpointIfWritten();
        var before = r.Store.FileSizes().WalBytes;
        Assert.True(before > 0);
        Assert.False(r.Store.TruncateWalIfLonger(4 * 1024 * 1024));
        Assert.Equal(before, r.Store.FileSizes().WalBytes);
    }

    private static void WriteSeveralMegabytes(TestReplica r)
    {
        var blob = new string('x', 2000);
        for (var batch = 0; batch < 20; batch++)
        {
            var changes = Enumerable.Range(0, 200).Select(i => Kv($"k{batch}-{i}", blob, NowHlc(), SiteA)).ToList();
            Assert.Equal(200, r.Store.ApplyBatch(changes, "peer", batch.ToString(System.Globalization.CultureInfo.InvariantCulture)).Applied);
        }
    }
}
