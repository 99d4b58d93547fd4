using System.Diagnostics;
using System.Globalization;
using K8sReplication.Bench.Mesh;
using K8sReplication.Bench.Suite;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Bench.Cases;

/// <summary>
/// Anti-entropy repair of D differing rows in N, on the Release build (the hot-path-off fault is Debug-only):
/// <list type="number">
/// <item>Member A (alone) gets N rows from the app and folds them.</item>
/// <item>Per repetition, B is restored from a consistent online backup of A (SQLite backup API), given a fresh site
///   id; then the app on A updates D rows (new 100-byte values) and A folds them.</item>
/// <item>B's stored feed cursor for A is set to A's latest seq — B looks like a replica that has consumed A's feed
///   but lost the last D changes (e.g. a restored volume) — so the hot path has nothing to deliver and only
///   anti-entropy can find the difference. B's replication_changes_applied_total minus the rows anti-entropy repaired, and
///   replication_changes_skipped_total, are reported to prove it (both 0).</item>
/// <item>B starts without peers and becomes ready (Merkle tree built); then A is pushed as its peer (anti-entropy
///   interval 500 ms) and we time until B's Merkle root equals A's. Bytes are B's replication_antientropy_bytes_total;
///   the reference is D × (36-byte key + 100-byte value).</item>
/// </list>
/// </summary>
internal static class RepairCase
{
    public sealed record Result(Sample Seconds, Sample Bytes, double DiffBytes, Sample HotPathApplied, Sample RowsRepaired, Sample Skipped);

    public static async Task<Result> RunAsync(SuiteOptions o)
    {
        var folder = Path.Combine(o.Dir, "repair");
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        var r = new Result(new Sample("s"), new Sample("bytes"), o.RepairDiff * (36 + 100), new Sample("changes"), new Sample("rows"), new Sample("changes"));
        await using var a = new BenchNode("a", Path.Combine(folder, "a"), "500ms");
        a.CreateDatabase();
        await a.StartAsync();
        await a.WaitReadyAsync();
        string[] keys;
        using (var c = a.Open())
        {
            LimitCases.WriteRows(c, "t", o.RepairRows, upsert: false, batch: 10_000);
            keys = ReadKeys(c, o.RepairDiff * o.Reps);
        }

        await WaitFoldedAsync(a, o.RepairRows);
        var aSite = (await a.StatusAsync()).SiteId;
        for (var rep = 0; rep < o.Reps; rep++)
        {
            var bFolder = Path.Combine(folder, "b" + rep);
            await using var b = new BenchNode("b", bFolder, "500ms");
            using (var source = a.Open())
            using (var target = new SqliteConnection($"Data Source={b.DbPath};Pooling=False"))
            {
                target.Open();
                source.BackupDatabase(target);
                LimitCases.Exec(target, "DELETE FROM __repl_site; DELETE FROM __repl_cursors;");
            }

            using (var c = a.Open())
            using (var tx = c.BeginTransaction())
            {
                using var cmd = c.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = "UPDATE t SET v = randomblob(100) WHERE k = @k";
                var pk = cmd.Parameters.Add("@k", SqliteType.Text);
                foreach (var k in keys.Skip(rep * o.RepairDiff).Take(o.RepairDiff))
                {
                    pk.Value = k;
                    cmd.ExecuteNonQuery();
                }

                tx.Commit();
            }

            await WaitFoldedAsync(a, o.RepairRows);
            var aSeq = a.Scalar("SELECT max(seq) FROM __repl_versions");
            using (var target = LimitCases.OpenApp(b.DbPath))
            {
                LimitCases.Exec(target, $"INSERT INTO __repl_cursors(key, value) VALUES ('feed:{aSite}', '{aSeq.ToString(CultureInfo.InvariantCulture)}')");
            }

            await b.StartAsync();
            await b.WaitReadyAsync();
            var aRoot = (await a.StatusAsync()).MerkleRoot;
            var sw = Stopwatch.StartNew();
            await b.SetPeersAsync(1, ("a", a.ReplicationUrl));
            await Shell.WaitAsync(async () => (await b.StatusAsync()).MerkleRoot == aRoot, TimeSpan.FromMinutes(5), "B repaired by anti-entropy", 20);
            r.Seconds.Add(sw.Elapsed.TotalSeconds);
            r.Bytes.Add(await b.MetricAsync("replication_antientropy_bytes"));
            var repaired = await b.MetricAsync("replication_antientropy_rows_repaired");
            r.RowsRepaired.Add(repaired);

            // changes_applied counts anti-entropy's applies too: what the hot path applied is the rest.
            r.HotPathApplied.Add(await b.MetricAsync("replication_changes_applied") - repaired);
            r.Skipped.Add(await b.MetricAsync("replication_changes_skipped"));
            await b.StopAsync();
        }

        return r;
    }

    private static string[] ReadKeys(SqliteConnection c, int count)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT k FROM t ORDER BY random() LIMIT {count}";
        using var reader = cmd.ExecuteReader();
        var keys = new List<string>();
        while (reader.Read())
        {
            keys.Add(reader.GetString(0));
        }

        return [.. keys];
    }

    /// <summary>Folded: no capture entries left (the fold keeps the last clock entry, tbl 0, as the triggers' clock floor).</summary>
    private static Task WaitFoldedAsync(BenchNode node, long rows) =>
        Shell.WaitAsync(() => Task.FromResult(node.Scalar("SELECT count(*) FROM __repl_log WHERE tbl <> 0") == 0
                && node.Scalar("SELECT count(*) FROM __repl_versions") >= rows),
            TimeSpan.FromMinutes(10), $"{node.Name} folded {rows} rows", 200);
}
