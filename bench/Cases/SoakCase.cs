using System.Diagnostics;
using K8sReplication.Bench.Mesh;
using K8sReplication.Bench.Suite;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Bench.Cases;

/// <summary>
/// A delete-heavy soak: a 3-member full mesh where member 0's app inserts 200 rows and deletes the 200 it inserted two
/// rounds before, every 100 ms, for 10 minutes (1 minute with --quick), so the live table stays at about 400 rows while
/// 2,000 rows a second are inserted and deleted. Every second each member's status is sampled: the row versions it
/// keeps (live rows plus tombstones), its tombstones and its WAL file. Without tombstone collection the versions would
/// grow with every delete; with it they stay near the live rows plus the few seconds of deletes the mesh needs to
/// apply everywhere.
/// </summary>
internal static class SoakCase
{
    private const int RowsPerRound = 200;
    private static readonly TimeSpan Round = TimeSpan.FromMilliseconds(100);

    public sealed record Result(Sample PeakVersions, Sample FirstHalfPeakVersions, Sample FinalVersions, Sample Deleted, Sample PeakWalMb,
        Sample FirstHalfPeakWalMb, Sample IdleWalMb, Sample FinalDatabaseMb, Sample HalfDatabaseMb, Sample Collected, TimeSpan Duration);

    public static async Task<Result> RunAsync(SuiteOptions o)
    {
        var duration = o.Quick ? TimeSpan.FromMinutes(1) : TimeSpan.FromMinutes(10);
        await using var mesh = await BenchMesh.StartAsync(Path.Combine(o.Dir, "soak"), 3);
        await mesh.ConnectAsync();
        long Length(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

        var peakVersions = 0L;
        var firstHalfPeak = 0L;
        var peakWal = 0L;
        var firstHalfPeakWal = 0L;
        var halfDb = 0L;
        var deleted = 0L;
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var node in mesh.Nodes)
                {
                    var status = await node.StatusAsync();
                    peakVersions = Math.Max(peakVersions, status.Storage.Versions);
                    peakWal = Math.Max(peakWal, Length(node.DbPath + "-wal"));
                    if (clock.Elapsed < duration / 2)
                    {
                        firstHalfPeak = peakVersions;
                        firstHalfPeakWal = peakWal;
                    }
                }

                if (clock.Elapsed < duration / 2)
                {
                    halfDb = Math.Max(halfDb, Length(mesh[0].DbPath));
                }

                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });

        using (var c = mesh[0].Open())
        {
            var rounds = new Queue<string[]>();
            using var insert = c.CreateCommand();
            insert.CommandText = "INSERT INTO t(k, v) VALUES (@k, @v)";
            var pk = insert.Parameters.Add("@k", SqliteType.Text);
            var pv = insert.Parameters.Add("@v", SqliteType.Blob);
            using var delete = c.CreateCommand();
            delete.CommandText = "DELETE FROM t WHERE k = @k";
            var dk = delete.Parameters.Add("@k", SqliteType.Text);
            var next = clock.Elapsed;
            while (clock.Elapsed < duration)
            {
                var keys = Enumerable.Range(0, RowsPerRound).Select(_ => Guid.NewGuid().ToString()).ToArray();
                using (var tx = c.BeginTransaction())
                {
                    insert.Transaction = tx;
                    delete.Transaction = tx;
                    foreach (var key in keys)
                    {
                        pk.Value = key;
                        pv.Value = LimitCases.Payload();
                        insert.ExecuteNonQuery();
                    }

                    if (rounds.Count >= 2)
                    {
                        foreach (var key in rounds.Dequeue())
                        {
                            dk.Value = key;
                            deleted += delete.ExecuteNonQuery();
                        }
                    }

                    tx.Commit();
                }

                rounds.Enqueue(keys);
                next += Round;
                var wait = next - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }
            }
        }

        // The writes stop: every member converges, and then collects what is left.
        var live = (long)RowsPerRound * 2;
        await Shell.WaitAsync(async () =>
        {
            var statuses = await Task.WhenAll(mesh.Nodes.Select(n => n.StatusAsync()));
            return statuses.All(s => s.Rows == live && s.Tombstones == 0);
        }, TimeSpan.FromMinutes(2), "every member holds the live rows and has collected every tombstone", 200);
        await stop.CancelAsync();
        await sampler;
        var final = await Task.WhenAll(mesh.Nodes.Select(n => n.StatusAsync()));

        // Quiet: each member's WAL goes back within its bound (the sidecar truncates a long WAL after 1 s of quiet).
        await Shell.WaitAsync(() => Task.FromResult(mesh.Nodes.All(n => Length(n.DbPath + "-wal") <= WalBurstCase.BoundBytes)),
            TimeSpan.FromMinutes(1), "every WAL file back within 64 MiB", 100);
        var idleWal = mesh.Nodes.Max(n => Length(n.DbPath + "-wal"));
        return new Result(
            Sample.Of("versions", peakVersions),
            Sample.Of("versions", firstHalfPeak),
            Sample.Of("versions", final.Max(s => s.Storage.Versions)),
            Sample.Of("rows", deleted),
            Sample.Of("MB", peakWal / 1e6),
            Sample.Of("MB", firstHalfPeakWal / 1e6),
            Sample.Of("MB", idleWal / 1e6),
            Sample.Of("MB", Length(mesh[0].DbPath) / 1e6),
            Sample.Of("MB", halfDb / 1e6),
            Sample.Of("tombstones", final.Min(s => s.TombstoneCollection.Collected)),
            duration);
    }
}
