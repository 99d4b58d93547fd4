using K8sReplication.TestKit.Sqlite;
using static K8sReplication.Sidecar.Tests.Storage.ChangeFactory;

namespace K8sReplication.Sidecar.Tests.Storage;

public sealed class CrashSafetyTests
{
    [Fact]
    public void KillMidApply_BeforeCommit_LeavesOldStateAndOldCursor()
    {
        using var r = new TestReplica();
        r.Store.ApplyBatch([Kv("a", "old", NowHlc(), SiteA)], "peer", "cursor-1");
        r.Exec("INSERT INTO kv VALUES ('local', 1)"); // pending capture, folded inside the doomed transaction
        var rootBefore = r.Store.Merkle.Root;
        var store = r.Store;
        store.FaultPoint = point =>
        {
            if (point == "apply.before-commit")
            {
                store.Dispose(); // like a kill: the connection goes away with the transaction open
                throw new InvalidOperationException("killed");
            }
        };

        Assert.ThrowsAny<Exception>(() => store.ApplyBatch(
            [Kv("a", "new", NowHlc(1), SiteB), Kv("b", "new", NowHlc(1), SiteB)], "peer", "cursor-2"));

        r.Reopen();
        Assert.Equal("cursor-1", r.Store.ReadCursor("peer"));
        Assert.Equal([["a", "old"], ["local", 1L]], r.Rows("kv"));
        Assert.Equal(0L, r.App.Scalar("SELECT applying FROM __repl_state"));
        r.Store.Fold();
        Assert.Equal(2, r.Store.ReadChanges(0, 10).Changes.Count); // the local write survived and is folded now
        Assert.True(r.Store.Merkle.Verify());
        Assert.NotEqual(rootBefore, r.Store.Merkle.Root);

        // Retrying the batch after the restart applies it once.
        var retry = r.Store.ApplyBatch([Kv("a", "new", NowHlc(1), SiteB)], "peer", "cursor-2");
        Assert.Equal(1, retry.Applied);
        Assert.Equal("cursor-2", r.Store.ReadCursor("peer"));
    }

    [Fact]
    public void FailedFold_PublishesNothing_AndTheEntriesFoldLater()
    {
        using var r = new TestReplica();
        r.Exec("INSERT INTO kv VALUES ('a', 1)");
        var root = r.Store.Merkle.Root;
        var maxSeq = r.Store.MaxSeq;
        r.Store.FaultPoint = p => throw new InvalidOperationException(p);
        Assert.Throws<InvalidOperationException>(() => r.Store.Fold());
        Assert.Equal(root, r.Store.Merkle.Root);
        Assert.Equal(maxSeq, r.Store.MaxSeq);
        r.Store.FaultPoint = null;
        Assert.Equal(1, r.Store.Fold());
        Assert.True(r.Store.Merkle.Verify());
    }
}
