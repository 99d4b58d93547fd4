using K8sReplication.TestKit.Sqlite;
using static K8sReplication.Sidecar.Tests.Storage.ChangeFactory;

namespace K8sReplication.Sidecar.Tests.Storage;

public sealed class LiveAppTests
{
    [Fact]
    public async Task AppKeepsWriting_WhileReplicaFoldsAndAppliesRemoteBatches_NothingLost()
    {
        using var r = new TestReplica();
        const int appWrites = 3000;
        const int remoteBatches = 30;
        const int batchSize = 200;

        var app = Task.Run(() =>
        {
            using var connection = r.Database.OpenConnection();
            for (var i = 0; i < appWrites; i++)
            {
                if (i % 10 == 0)
                {
                    using var tx = connection.BeginTransaction();
                    for (var j = 0; j < 10 && i + j < appWrites; j++)
                    {
                        connection.Execute("INSERT INTO kv VALUES (@k, @v)", ("@k", $"app-{i + j}"), ("@v", (long)(i + j)));
                    }

                    tx.Commit();
                    i += 9;
                }
                else
                {
                    connection.Execute("INSERT INTO kv VALUES (@k, @v)", ("@k", $"app-{i}"), ("@v", (long)i));
                }
            }
        });
        var replica = Task.Run(() =>
        {
            for (var b = 0; b < remoteBatches; b++)
            {
                var batch = Enumerable.Range(0, batchSize)
                    .Select(i => Kv($"remote-{b}-{i}", (long)i, NowHlc(), SiteA)).ToArray();
                Assert.Equal(batchSize, r.Store.ApplyBatch(batch, "peer", b.ToString(System.Globalization.CultureInfo.InvariantCulture)).Applied);
                r.Store.Fold(500);
            }
        });

        await Task.WhenAll(app, replica).WaitAsync(TimeSpan.FromMinutes(3));
        while (r.Store.Fold() > 0)
        {
        }

        Assert.Equal((long)(appWrites + (remoteBatches * batchSize)), r.App.Scalar("SELECT count(*) FROM kv"));
        Assert.Equal(appWrites, r.Store.ReadChanges(0, 100_000, r.Store.Site).Changes.Count);
        Assert.Equal(remoteBatches * batchSize, r.Store.ReadChanges(0, 100_000, SiteA).Changes.Count);
        Assert.Equal(appWrites, r.Store.CapturedTotal);
        Assert.Equal("29", r.Store.ReadCursor("peer"));
        Assert.True(r.Store.Merkle.Verify());
    }
}
