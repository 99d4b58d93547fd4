using K8sReplication.Sidecar.Storage;
using K8sReplication.TestKit.Sqlite;
using static K8sReplication.Sidecar.Tests.Storage.ChangeFactory;

namespace K8sReplication.Sidecar.Tests.Storage;

/// <summary>
/// The change feed serves the app's writes straight from the capture log before they are folded, at the positions
/// the fold later gives their versions, so readers neither wait for the fold nor see a change twice.
/// </summary>
public sealed class CaptureFeedTests
{
    [Fact]
    public void UnfoldedWrites_AreServed_AtTheSeqTheirVersionsGetLater()
    {
        using var r = new TestReplica();
        r.Exec("INSERT INTO kv VALUES ('a', 1), ('b', 2)");
        r.Exec("DELETE FROM kv WHERE k = 'b'");

        var before = r.Store.ReadChanges(0, 10);
        Assert.Equal(["a", "b"], before.Changes.Select(c => (string)KeyCodec.Decode(c.Key)[0]!));
        Assert.Equal([false, true], before.Changes.Select(c => c.Version.Deleted)); // 'b' was gone when read: its insert is left out
        Assert.All(before.Changes, c => Assert.Equal(r.Store.Site, c.Version.Site));
        Assert.Equal(["a", 1L], before.Changes[0].Values);
        Assert.Equal(before.LastSeq, before.MaxSeq);

        Assert.Equal(3, r.Store.Fold());
        var after = r.Store.ReadChanges(0, 10);
        Assert.Equal(before.Changes.Select(c => (c.Seq, c.Version)), after.Changes.Select(c => (c.Seq, c.Version)));

        // A reader whose cursor passed the served entries gets nothing again once they are folded.
        Assert.Empty(r.Store.ReadChanges(before.LastSeq, 10).Changes);
    }

    [Fact]
    public void RemoteChanges_AppliedAfterAnUnfoldedWrite_TakeHigherSeqs()
    {
        using var r = new TestReplica();
        r.Exec("INSERT INTO kv VALUES ('local', 1)");
        var served = r.Store.ReadChanges(0, 10);
        var local = Assert.Single(served.Changes);

        r.Store.ApplyBatch([Kv("remote", 2L, NowHlc(), SiteA)], "peer", "1");
        var next = r.Store.ReadChanges(served.LastSeq, 10);
        var remote = Assert.Single(next.Changes);
        Assert.Equal("remote", KeyCodec.Decode(remote.Key)[0]);
        Assert.True(remote.Seq > local.Seq);

        // The app's next write goes after the applied change too.
        r.Exec("INSERT INTO kv VALUES ('later', 3)");
        var last = Assert.Single(r.Store.ReadChanges(next.LastSeq, 10).Changes);
        Assert.Equal("later", KeyCodec.Decode(last.Key)[0]);
        Assert.True(last.Seq > remote.Seq);
    }

    [Fact]
    public void ReplaceGuardCheck_EndsThePage_UntilTheFoldDecides()
    {
        using var r = new TestReplica(TestReplica.DefaultSchema + "CREATE TABLE users(id TEXT PRIMARY KEY, email TEXT UNIQUE);");
        r.Exec("INSERT INTO users VALUES ('u1', 'a@x')");
        r.Store.Fold();
        var start = r.Store.ReadChanges(0, 10).LastSeq;
        r.Exec("INSERT INTO kv VALUES ('before', 1)");
        r.Exec("INSERT OR REPLACE INTO users VALUES ('u2', 'a@x')"); // removes u1 without a delete trigger

        var page = r.Store.ReadChanges(start, 10);
        Assert.Equal("before", KeyCodec.Decode(Assert.Single(page.Changes).Key)[0]);
        Assert.True(page.LastSeq < page.MaxSeq, "the page ends before the check entry");

        r.Store.Fold();
        var rest = r.Store.ReadChanges(page.LastSeq, 10).Changes;
        Assert.Contains(rest, c => c.Table == "users" && (string)KeyCodec.Decode(c.Key)[0]! == "u1" && c.Version.Deleted);
        Assert.Contains(rest, c => c.Table == "users" && (string)KeyCodec.Decode(c.Key)[0]! == "u2" && !c.Version.Deleted);
    }

    [Fact]
    public void Pages_OfUnfoldedWrites_HonourLimitAndBytes()
    {
        using var r = new TestReplica();
        for (var i = 0; i < 10; i++)
        {
            r.Exec("INSERT INTO kv VALUES (@k, zeroblob(1000))", ("@k", "k" + i));
        }

        var seen = new List<long>();
        var after = 0L;
        for (var pages = 0; pages < 20; pages++)
        {
            var page = r.Store.ReadChanges(after, 4, maxBytes: 2500);
            Assert.InRange(page.Changes.Count, 0, 3); // 2,500 bytes end a page after the third 1,000-byte row
            seen.AddRange(page.Changes.Select(c => c.Seq));
            if (page.LastSeq == page.MaxSeq)
            {
                break;
            }

            after = page.LastSeq;
        }

        Assert.Equal(10, seen.Count);
        Assert.Equal(seen.Order(), seen);
    }

    [Fact]
    public void LogFromBeforeSharedPositions_IsFoldedAtOpen_AboveEverySeqServed()
    {
        using var r = new TestReplica();
        r.Exec("INSERT INTO kv VALUES ('a', 1), ('b', 2), ('c', 3)");
        r.Store.Fold();
        var served = r.Store.ReadChanges(0, 10);
        r.Store.Dispose();

        // An earlier version numbered log entries on their own: an emptied log started again at 1.
        r.Exec("DELETE FROM __repl_log");
        r.Exec("INSERT INTO kv VALUES ('d', 4)");
        Assert.Equal(1L, r.App.Scalar("SELECT max(seq) FROM __repl_log"));

        r.Reopen();
        var next = r.Store.ReadChanges(served.LastSeq, 10);
        var d = Assert.Single(next.Changes);
        Assert.Equal("d", KeyCodec.Decode(d.Key)[0]);
        Assert.True(d.Seq > served.LastSeq);
        r.Exec("INSERT INTO kv VALUES ('e', 5)");
        Assert.True(Assert.Single(r.Store.ReadChanges(next.LastSeq, 10).Changes).Seq > d.Seq);
    }
}
