using System.Diagnostics;
using K8sReplication.Bench.Mesh;
using K8sReplication.Contracts.Config;
using NicePriority = K8sReplication.Sidecar.Hosting.ThreadPriority;
using K8sReplication.Bench.Suite;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Bench.Cases;

/// <summary>
/// What the running sidecars cost the app. The same writes — N rows in 1000-row transactions, then M autocommit
/// single-row INSERTs — into three fresh databases per repetition: a plain one (no capture), the capture floor (a
/// member whose sidecar installed its triggers and was stopped), and member 0 of a connected pair whose sidecars both
/// run (member 1 tails member 0). The app's connection waits for locks exactly as with <c>busy_timeout</c>, metered
/// (<see cref="BusyMeter"/>), so the figures say how much of the tax is lock waits and how much is CPU. A fourth
/// database measures the floor of any replication on this machine (<see cref="Relay"/>).
/// </summary>
internal static class AppTaxCase
{
    public sealed record Writes(Sample TxSeconds, Sample AutocommitSeconds, Sample TxWaitMs, Sample AutocommitWaitMs);

    public sealed record Result(Writes Plain, Writes Floor, Writes Relayed, Writes Running, Sample RunningToOther, int AutocommitRows);

    public static async Task<Result> RunAsync(SuiteOptions o)
    {
        var autocommit = o.Quick ? 2000 : 20_000;
        var folder = Path.Combine(o.Dir, "apptax");
        Writes New() => new(new Sample("s"), new Sample("s"), new Sample("ms"), new Sample("ms"));
        var plain = New();
        var floor = New();
        var relayed = New();
        var running = New();
        var toOther = new Sample("s");
        for (var rep = 0; rep < o.Reps; rep++)
        {
            var plainPath = Path.Combine(folder, "plain.db");
            Directory.CreateDirectory(folder);
            LimitCases.DeleteDb(plainPath);
            using (var c = LimitCases.OpenApp(plainPath))
            {
                LimitCases.Exec(c, BenchNode.Schema);
                Write(c, o.Rows, autocommit, plain);
            }

            LimitCases.DeleteDb(plainPath);

            await using (var node = new BenchNode("floor", Path.Combine(folder, "floor")))
            {
                node.CreateDatabase();
                await node.StartAsync();
                await node.WaitReadyAsync();
                await node.StopAsync();
                using var c = node.Open();
                Write(c, o.Rows, autocommit, floor);
            }

            await using (var node = new BenchNode("relay", Path.Combine(folder, "relay")))
            {
                node.CreateDatabase();
                await node.StartAsync();
                await node.WaitReadyAsync();
                await node.StopAsync();
                var target = Path.Combine(folder, "relay", "copy.db");
                LimitCases.DeleteDb(target);
                using var stop = new CancellationTokenSource();
                var relay = new Thread(() => Relay(node.DbPath, target, stop.Token)) { IsBackground = true, Name = "relay" };
                relay.Start();
                using (var c = node.Open())
                {
                    Write(c, o.Rows, autocommit, relayed);
                }

                stop.Cancel();
                relay.Join();
                LimitCases.DeleteDb(target);
            }

            await using var mesh = await BenchMesh.StartAsync(Path.Combine(folder, "pair"), 2);
            await mesh.ConnectAsync();
            using (var c = mesh[0].Open())
            {
                var clock = Stopwatch.StartNew();
                var meter = BusyMeter.Attach(c);
                running.TxSeconds.Add(LimitCases.WriteRows(c, "t", o.Rows, upsert: false));
                running.TxWaitMs.Add(meter.WaitedMs);
                toOther.Add(await ThroughputCase.WaitCountAsync(mesh[1], o.Rows, clock));

                // The autocommit writes start from a settled pair, as in the other two databases.
                await Shell.WaitAsync(async () => (await mesh[1].StatusAsync()).MerkleRoot == (await mesh[0].StatusAsync()).MerkleRoot,
                    TimeSpan.FromMinutes(2), "equal roots before the autocommit writes", 20);
                var before = meter.WaitedMs;
                running.AutocommitSeconds.Add(Autocommit(c, autocommit));
                running.AutocommitWaitMs.Add(meter.WaitedMs - before);
            }
        }

        return new Result(plain, floor, relayed, running, toOther, autocommit);
    }

    private static void Write(SqliteConnection c, int rows, int autocommit, Writes into)
    {
        var meter = BusyMeter.Attach(c);
        into.TxSeconds.Add(LimitCases.WriteRows(c, "t", rows, upsert: false));
        into.TxWaitMs.Add(meter.WaitedMs);
        var before = meter.WaitedMs;
        into.AutocommitSeconds.Add(Autocommit(c, autocommit));
        into.AutocommitWaitMs.Add(meter.WaitedMs - before);
    }

    /// <summary>
    /// The floor of replicating the app's writes on this machine: a bare loop on a thread of this process, at the
    /// sidecar's nice value, that polls the app database's <c>PRAGMA data_version</c> every millisecond (as the
    /// sidecar's commit watcher does), reads the new captures from the capture log and copies them into another
    /// database in one transaction. No HTTP, no version bookkeeping, no second process.
    /// </summary>
    private static void Relay(string source, string target, CancellationToken stop)
    {
        NicePriority.LowerCurrentThread(HotPathConfig.DefaultNiceness);
        using var from = LimitCases.OpenApp(source);
        using var to = LimitCases.OpenApp(target);
        using var head = from.CreateCommand();
        head.CommandText = "SELECT coalesce(max(seq), 0) FROM __repl_log";
        var after = (long)head.ExecuteScalar()!;
        BareRelay.Run(from, to, "SELECT * FROM __repl_log WHERE seq > @after ORDER BY seq", "copy", createTarget: true, after, stop);
    }

    /// <summary>Seconds for <paramref name="rows"/> autocommit single-row INSERTs of new keys.</summary>
    public static double Autocommit(SqliteConnection c, int rows)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = "INSERT INTO t(k, v) VALUES (@k, @v)";
        var pk = cmd.Parameters.Add("@k", SqliteType.Text);
        var pv = cmd.Parameters.Add("@v", SqliteType.Blob);
        var keys = Enumerable.Range(0, rows).Select(_ => Guid.NewGuid().ToString()).ToArray();
        var payloads = Enumerable.Range(0, rows).Select(_ => LimitCases.Payload()).ToArray();
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < rows; i++)
        {
            pk.Value = keys[i];
            pv.Value = payloads[i];
            cmd.ExecuteNonQuery();
        }

        return sw.Elapsed.TotalSeconds;
    }
}
