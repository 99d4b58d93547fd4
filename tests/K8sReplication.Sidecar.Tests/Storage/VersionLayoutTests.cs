using K8sReplication.Sidecar.Storage;
using K8sReplication.TestKit.Sqlite;
using static K8sReplication.Sidecar.Tests.Storage.ChangeFactory;

namespace K8sReplication.Sidecar.Tests.Storage;

/// <summary>The row-version layout: key ids, hash collisions, and databases written by the earlier layout.</summary>
public sealed class VersionLayoutTests
{
    private const string VersionsSql = "SELECT v.seq, v.tbl, hex(v.pk), v.hlc, hex(s.site), v.deleted FROM __repl_versions v JOIN __repl_sites s ON s.id = v.site ORDER BY v.seq";

    [Fact]
    public void KeyIds_OrderLikeBuckets_SoALeafIsOneKeyIdRange()
    {
        var random = new Random(42);
        var name = "kv"u8.ToArray();
        for (var i = 0; i < 10_000; i++)
        {
            var key = new byte[random.Next(1, 40)];
            random.NextBytes(key);
            var (bucket, kid) = RowDigest.Locate(name, key);
            Assert.Equal(bucket, RowDigest.BucketOf(kid));
            var (first, last) = RowDigest.KidRange(bucket, bucket);
            Assert.InRange(kid, first, last);
            if (bucket > 0)
            {
                Assert.True(RowDigest.KidRange(bucket - 1, bucket - 1).Last < first, "ranges of adjacent buckets are ordered");
            }
        }

        Assert.Equal((long.MinValue, long.MaxValue), RowDigest.KidRange(0, 0xFFFF_FFFFL));
    }

    [Fact]
    public void SharedKeyIdInAFormat2Database_IsSeparatedAtOpen_AndBothRowsStayApart()
    {
        using var r = new TestReplica();
        var h = NowHlc();
        var keyA = KeyCodec.Encode(["a"]);
        r.Store.ApplyBatch([Kv("a", "from a", h, SiteA)], "peer", "1");

        // Format 2 had a non-unique key-id index, where colliding keys shared a key id. Downgrade to it and forge an
        // entry of another key under a's key id, as a 64-bit collision would have produced; its lower seq makes it
        // the entry that keeps the key id.
        using (var c = r.Database.OpenConnection())
        {
            c.Execute("""
                DROP INDEX __repl_versions_kid;
                CREATE INDEX __repl_versions_kid ON __repl_versions(kid);
                INSERT INTO __repl_versions(seq, kid, tbl, pk, hlc, site, deleted)
                SELECT seq - 1000, kid, tbl, X'0300000001', hlc, site, 0 FROM __repl_versions;
                """);
        }

        r.Reopen();
        using var check = r.Database.OpenConnection();
        Assert.Equal(1L, check.Scalar("SELECT \"unique\" FROM pragma_index_list('__repl_versions') WHERE name = '__repl_versions_kid'"));
        var kids = check.Rows("SELECT kid FROM __repl_versions ORDER BY seq").Select(row => (long)row[0]!).ToList();
        Assert.Equal(kids[0] + 1, kids[1]); // a moved to the next key id of the same bucket
        Assert.Equal(RowDigest.BucketOf(kids[0]), RowDigest.BucketOf(kids[1]));
        Assert.True(r.Store.Merkle.Verify());

        var update = r.Store.ApplyBatch([Kv("a", "newer", h + 1, SiteB)], "peer", "2");
        Assert.Equal(1, update.Applied);
        var rows = check.Rows("SELECT hex(pk), hlc FROM __repl_versions ORDER BY hex(pk)");
        Assert.Equal(2, rows.Count);
        Assert.Equal("0300000001", rows[0][0]);
        Assert.Equal(h, rows[0][1]);
        Assert.Equal(h + 1, rows[1][1]);
        Assert.Equal(h + 1, r.Store.ReadRows("kv", [keyA]).Single().Version.Hlc);
        Assert.Equal(1, r.Store.ApplyBatch([Kv("a", "newer", h + 1, SiteB)], "peer", "3").SkippedDuplicate);
        Assert.True(r.Store.Merkle.Verify());
    }

    [Fact]
    public void KeysSharingOneKeyId_EachKeepTheirOwnVersion_ThroughApplyFoldReadAndReopen()
    {
        using var r = new TestReplica { ForcedKeyIdBits = 0 }; // every key of a bucket hashes to one key id
        r.Reopen();
        var h = NowHlc();
        var remote = Enumerable.Range(0, 60).Select(i => Kv("r" + i, (long)i, h + i, SiteA)).ToArray();
        Assert.Equal(60, r.Store.ApplyBatch(remote, "peer", "1").Applied);
        for (var i = 0; i < 40; i++)
        {
            r.Exec("INSERT INTO kv(k, v) VALUES (@k, @v)", ("@k", "l" + i), ("@v", i));
        }

        r.Exec("UPDATE kv SET v = -1 WHERE k IN ('r3', 'l7')");
        r.Exec("DELETE FROM kv WHERE k IN ('r5', 'l9')");
        r.Store.Fold();
        Assert.Equal(1, r.Store.ApplyBatch([Kv("l11", "remote wins", NowHlc(60_000), SiteB)], "peer", "2").Applied);
        Assert.Equal(1, r.Store.ApplyBatch([Kv("r7", "older loses", h, SiteB)], "peer", "3").ConflictsLost);

        using var check = r.Database.OpenConnection();
        Assert.Equal(100L, check.Scalar("SELECT count(*) FROM __repl_versions"));
        Assert.Equal(100L, check.Scalar("SELECT count(DISTINCT kid) FROM __repl_versions"));
        Assert.InRange((long)check.Scalar("SELECT count(DISTINCT kid >> 32) FROM __repl_versions")!, 2, 16);
        var changes = r.Store.ReadChanges(0, 1000).Changes;
        Assert.Equal(100, changes.Count);
        Assert.Equal(100, changes.Select(c => Convert.ToHexString(c.Key)).Distinct().Count());
        Assert.True(changes.Single(c => Equals(KeyCodec.Decode(c.Key)[0], "r5")).Version.Deleted);
        Assert.Equal(-1L, changes.Single(c => Equals(KeyCodec.Decode(c.Key)[0], "r3")).Values![1]);
        Assert.Equal("remote wins", r.Store.ReadRows("kv", [KeyCodec.Encode(["l11"])]).Single().Values![1]);
        Assert.Equal(7L, r.Store.ReadRows("kv", [KeyCodec.Encode(["r7"])]).Single().Values![1]);
        Assert.True(r.Store.Merkle.Verify());
        var root = r.Store.Merkle.Root;
        r.Reopen();
        Assert.Equal(root, r.Store.Merkle.Root);
    }

    [Fact]
    public void DatabaseOfTheEarlierLayout_IsMigratedAtOpen_KeepingEveryVersionAndTheRoot()
    {
        using var r = new TestReplica();
        var h = NowHlc();
        r.Store.ApplyBatch([Kv("remote", "r", h, SiteA), KvDelete("gone", h + 1, SiteB)], "peer", "7");
        r.Exec("INSERT INTO kv VALUES ('local', 1)");
        r.Exec("INSERT INTO items VALUES (42, 'x')");
        r.Store.Fold();
        var root = r.Store.Merkle.Root;
        var maxSeq = r.Store.MaxSeq;
        r.Store.Dispose();

        using (var c = r.Database.OpenConnection())
        {
            var before = c.Rows(VersionsSql);
            Assert.Equal(4, before.Count);
            DowngradeToFormat1(c);
            r.Reopen();
            Assert.Equal(Flatten(before), Flatten(c.Rows(VersionsSql)));
            Assert.Equal(0L, c.Scalar("SELECT count(*) FROM sqlite_master WHERE name LIKE '__repl_versions_%' AND name NOT IN ('__repl_versions_kid', '__repl_versions_tombstones')"));
        }

        Assert.Equal(root, r.Store.Merkle.Root);
        Assert.Equal(maxSeq, r.Store.MaxSeq);
        Assert.True(r.Store.Merkle.Verify());
        Assert.Equal("7", r.Store.ReadCursor("peer"));

        // Life goes on: new local writes get later seqs, and remote changes still resolve against migrated versions.
        r.Exec("UPDATE kv SET v = 2 WHERE k = 'local'");
        Assert.Equal(1, r.Store.Fold());
        Assert.Equal(maxSeq + 1, r.Store.MaxSeq);
        Assert.Equal(1, r.Store.ApplyBatch([Kv("remote", "older", h - 1, SiteB)], "peer", "8").ConflictsLost);
    }

    /// <summary>Rewrites the version table into the layout of earlier builds (format 1), as such a build left it.</summary>
    private static void DowngradeToFormat1(Microsoft.Data.Sqlite.SqliteConnection c)
    {
        c.Execute("""
            CREATE TABLE __repl_versions_old(bucket INTEGER NOT NULL, tbl INTEGER NOT NULL, kid INTEGER NOT NULL,
                pk BLOB NOT NULL, hlc INTEGER NOT NULL, site BLOB NOT NULL, deleted INTEGER NOT NULL, seq INTEGER NOT NULL,
                PRIMARY KEY (bucket, tbl, kid, pk)) WITHOUT ROWID;
            INSERT INTO __repl_versions_old(bucket, tbl, kid, pk, hlc, site, deleted, seq)
                SELECT (((v.kid >> 32) & 4294967295) | 2147483648) - (((v.kid >> 32) & 4294967295) & 2147483648), v.tbl, v.kid, v.pk, v.hlc, s.site, v.deleted, v.seq
                FROM __repl_versions v JOIN __repl_sites s ON s.id = v.site;
            DROP TABLE __repl_versions;
            DROP TABLE __repl_sites;
            ALTER TABLE __repl_versions_old RENAME TO __repl_versions;
            CREATE UNIQUE INDEX __repl_versions_seq ON __repl_versions(seq);
            """);
    }

    private static string Flatten(List<object?[]> rows) =>
        string.Join("\n", rows.Select(row => string.Join("|", row.Select(v => $"{v}"))));
}
