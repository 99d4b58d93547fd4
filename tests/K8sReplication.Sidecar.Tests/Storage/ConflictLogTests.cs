using K8sReplication.Sidecar.Storage;
using K8sReplication.TestKit.Time;
using static K8sReplication.Sidecar.Tests.Storage.ChangeFactory;

namespace K8sReplication.Sidecar.Tests.Storage;

/// <summary>The conflict log as the store keeps it: what a lost local write records, and the retention bounds.</summary>
public sealed class ConflictLogTests
{
    /// <summary>
    /// Writes <paramref name="key"/> locally, then applies a concurrent remote write of it that wins. The local clock
    /// moves past every version it receives, so each later remote write needs a greater hlc (<see cref="Ahead"/>).
    /// </summary>
    internal static ApplyResult LoseLocalWrite(TestReplica r, string key, string local, string remote, long remoteHlc)
    {
        r.Exec("INSERT INTO kv VALUES (@k, @v) ON CONFLICT (k) DO UPDATE SET v = excluded.v", ("@k", key), ("@v", local));
        return r.Store.ApplyBatch([Kv(key, remote, remoteHlc, SiteB)], "peer", remoteHlc.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>An hlc <paramref name="seconds"/> ahead of now: a remote write that wins over a local one written now.</summary>
    internal static long Ahead(int seconds) => NowHlc(seconds * 1000L);

    [Fact]
    public void LocalWriteOverwrittenByAConcurrentRemoteWrite_IsKept_WithItsRowImageAndBothVersions()
    {
        using var r = new TestReplica();
        var remoteHlc = Ahead(1);

        var result = LoseLocalWrite(r, "a", "mine", "theirs", remoteHlc);

        Assert.Equal([("kv", ConflictReasons.Lww)], result.ConflictsRecorded);
        var entry = Assert.Single(r.Store.ReadConflicts(null, null, 10));
        Assert.Equal("kv", entry.Table);
        Assert.Equal(["a"], KeyCodec.Decode(entry.Key));
        Assert.Equal(ConflictReasons.Lww, entry.Reason);
        Assert.Equal(r.Store.Site, entry.Loser.Site);
        Assert.Equal(["a", "mine"], entry.LoserValues);
        Assert.Equal(new RowVersion(remoteHlc, SiteB, false), entry.Winner);
        Assert.Equal(1, r.Store.ConflictCount());
        Assert.Equal("theirs", r.Rows("kv").Single()[1]);
    }

    [Fact]
    public void LocalWriteRemovedByAConcurrentRemoteDelete_IsKeptAsDeleted()
    {
        using var r = new TestReplica();
        r.Exec("INSERT INTO kv VALUES ('a', 'mine')");

        var result = r.Store.ApplyBatch([KvDelete("a", Ahead(1), SiteB)], "peer", "1");

        Assert.Equal([("kv", ConflictReasons.Deleted)], result.ConflictsRecorded);
        var entry = Assert.Single(r.Store.ReadConflicts("kv", null, 10));
        Assert.Equal(ConflictReasons.Deleted, entry.Reason);
        Assert.Equal(["a", "mine"], entry.LoserValues);
        Assert.Empty(r.Rows("kv"));
    }

    [Fact]
    public void MaxEntries_KeepsOnlyTheNewestEntries()
    {
        using var r = new TestReplica();
        r.Store.ConflictRetention = new ConflictRetention(TimeSpan.FromDays(7), 2);
        foreach (var (key, i) in new[] { "a", "b", "c" }.Select((k, i) => (k, i)))
        {
            LoseLocalWrite(r, key, "mine", "theirs", Ahead(i + 1));
        }

        Assert.Equal(["b", "c"], r.Store.ReadConflicts(null, null, 10).Select(e => (string)KeyCodec.Decode(e.Key)[0]!));
        Assert.Equal(2, r.Store.ConflictCount());
    }

    [Fact]
    public void LoweredMaxEntries_TakesEffectAtThePrune()
    {
        using var r = new TestReplica();
        foreach (var (key, i) in new[] { "a", "b", "c" }.Select((k, i) => (k, i)))
        {
            LoseLocalWrite(r, key, "mine", "theirs", Ahead(i + 1));
        }

        r.Store.ConflictRetention = new ConflictRetention(TimeSpan.FromDays(7), 1);

        Assert.Equal(2, r.Store.PruneConflicts());
        Assert.Equal("c", KeyCodec.Decode(Assert.Single(r.Store.ReadConflicts(null, null, 10)).Key)[0]);
    }

    [Fact]
    public void Prune_RemovesEntriesOlderThanMaxAge_AndKeepsYoungerOnes()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        using var r = new TestReplica(timeProvider: time);
        r.Store.ConflictRetention = new ConflictRetention(TimeSpan.FromHours(1), 100);
        LoseLocalWrite(r, "old", "mine", "theirs", Ahead(1));
        time.Advance(TimeSpan.FromMinutes(40));
        LoseLocalWrite(r, "young", "mine", "theirs", Ahead(2));

        Assert.Equal(0, r.Store.PruneConflicts());
        time.Advance(TimeSpan.FromMinutes(30));

        Assert.Equal(1, r.Store.PruneConflicts());
        var kept = Assert.Single(r.Store.ReadConflicts(null, null, 10));
        Assert.Equal("young", KeyCodec.Decode(kept.Key)[0]);
    }
}
