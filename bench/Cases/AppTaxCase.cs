using System.Diagnostics;
using K8sReplication.Bench.Mesh;
using K8sReplication.Contracts.Config;
using NicePriority = K8sReplication.Sidecar.Hosting.ThreadPriority;
using K8sReplication.Bench.Suite;
using K8sReplication.Sidecar.Capture;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Bench.Cases;

/// <summary>
/// What the running sidecars cost the app. The same writes — N rows in 1000-row transactions, then M autocommit
/// single-row INSERTs — into three fresh databases per repetition: a plain one (no capture), the capture floor (a
/// member whose sidecar installed its triggers and was stopped), and member 0 of a connected pair whose sidecars both
/// run (member 1 tails member 0). The app's connection waits for locks exactly as with <c>busy_timeout</c>, metered
/// (<see cref="BusyMeter"/>), so the figures say how much of the tax is lock waits and how much is CPU. A fourth
/// database measures the floor of any replication on this machine (<see cref="Relay"/>), and a fifth configuration is
/// the pair with member 1 apart (its own file system and core), as the other member of a real mesh runs on a node of
/// its own. The configurations' order rotates from one repetition to the next.
/// </summary>
internal static class AppTaxCase
{
    /// <summary>
    /// One database's figures; for the autocommit writes also the app thread's own CPU time, how often it was preempted
    /// (involuntary context switches), how long it waited for a CPU, and the rest of its time: blocked (neither running
    /// nor runnable: waiting for the disk, a lock, a sleep). What separates waiting for a core or the disk from doing
    /// more work.
    /// </summary>
    public sealed record Writes(Sample TxSeconds, Sample AutocommitSeconds, Sample TxWaitMs, Sample AutocommitWaitMs,
        Sample AutocommitAppCpuSeconds, Sample AutocommitPreemptions, Sample AutocommitRunQueueSeconds, Sample AutocommitBlockedSeconds);

    /// <summary>
    /// <paramref name="Running"/>: member 0 of a connected pair whose sidecars both run.
    /// <paramref name="Apart"/>: the same pair with member 1 apart: its files on a file system of its own
    /// (<see cref="ApartFolder"/>), its process on one core (<see cref="ApartCpu"/>).
    /// </summary>
    public sealed record Result(Writes Plain, Writes Floor, Writes Relayed, Writes Running, Pair RunningPair, Writes Apart, Pair ApartPair,
        int AutocommitRows);

    /// <summary>
    /// A running pair's own figures: first write until member 1 has the N rows; during the autocommit writes both
    /// sidecars' CPU time, the sender's alone, and the feed answers the sender gave that held changes.
    /// </summary>
    public sealed record Pair(Sample ToOther, Sample SidecarCpuSeconds, Sample SenderCpuSeconds, Sample AutocommitAnswers)
    {
        public static Pair New() => new(new Sample("s"), new Sample("s"), new Sample("s"), new Sample("answers"));
    }

    public static async Task<Result> RunAsync(SuiteOptions o)
    {
        var autocommit = o.Quick ? 2000 : 20_000;
        var folder = Path.Combine(o.Dir, "apptax");
        Writes New() => new(new Sample("s"), new Sample("s"), new Sample("ms"), new Sample("ms"), new Sample("s"), new Sample("switches"), new Sample("s"), new Sample("s"));
        var plain = New();
        var floor = New();
        var relayed = New();
        var running = New();
        var runningPair = Pair.New();
        var apart = New();
        var apartPair = Pair.New();
        Task Plain()
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
            return Task.CompletedTask;
        }

        async Task Floor()
        {
            await using var node = await CaptureFloorAsync("floor", Path.Combine(folder, "floor"));
            using var c = node.Open();
            Write(c, o.Rows, autocommit, floor);
        }

        async Task Relayed()
        {
            await using var node = await CaptureFloorAsync("relay", Path.Combine(folder, "relay"));
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

        // Each repetition starts one configuration further on: what a configuration leaves behind (dirty pages written
        // back, a warmer cache) falls on each of the others alike.
        Func<Task>[] configurations =
        [
            Plain, Floor, Relayed,
            () => RunPairAsync(o, Path.Combine(folder, "pair"), null, autocommit, running, runningPair),
            () => RunPairAsync(o, Path.Combine(folder, "pair"), ApartFolder, autocommit, apart, apartPair, ApartCpu),
        ];
        for (var rep = 0; rep < o.Reps; rep++)
        {
            for (var i = 0; i < configurations.Length; i++)
            {
                await configurations[(i + rep) % configurations.Length]();
            }
        }

        return new Result(plain, floor, relayed, running, runningPair, apart, apartPair, autocommit);
    }

    /// <summary>
    /// The core member 1 of the "receiver apart" pair runs on: the last one. Its work then takes at most that core from
    /// the app and member 0's sidecar, which may use every core (the app is not pinned). On a machine of two cores that
    /// still shares one of them: a node of its own would share none.
    /// </summary>
    private static string ApartCpu => (Environment.ProcessorCount - 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// A file system of its own for member 1 in the "receiver apart" pair: memory (tmpfs), standing for the disk of
    /// another node, so that the receiver's writes and checkpoints do not queue on the app's disk.
    /// </summary>
    private static string ApartFolder => Directory.Exists("/dev/shm")
        ? Path.Combine("/dev/shm", $"k8srepl-bench-{Environment.ProcessId}")
        : throw new InvalidOperationException("the app-tax case needs /dev/shm (tmpfs) for the receiver on storage of its own");

    /// <summary>
    /// Member 0 of a connected pair whose sidecars both run (member 1 tailing, its files in <paramref name="othersFolder"/>
    /// when given): the app's writes into member 0.
    /// </summary>
    private static async Task RunPairAsync(SuiteOptions o, string folder, string? othersFolder, int autocommit, Writes into, Pair pair,
        string? othersCpus = null)
    {
        await using var mesh = await BenchMesh.StartAsync(folder, 2, othersFolder: othersFolder, othersCpus: othersCpus);
        await mesh.ConnectAsync();
        using var c = mesh[0].Open();
        BeforeMeasuring();
        var clock = Stopwatch.StartNew();
        var meter = BusyMeter.Attach(c);
        into.TxSeconds.Add(LimitCases.WriteRows(c, "t", o.Rows, upsert: false));
        into.TxWaitMs.Add(meter.WaitedMs);
        pair.ToOther.Add(await ThroughputCase.WaitCountAsync(mesh[1], o.Rows, clock));

        // The autocommit writes start from a settled pair, as in the other databases.
        await mesh.SettleAsync("equal roots before the autocommit writes");
        var before = meter.WaitedMs;
        BeforeMeasuring();
        const string Answers = "replication_feed_answers_total{format=\"frames\",outcome=\"changes\"}";
        var answersBefore = await mesh[0].MetricAsync(Answers);
        var senderBefore = ProcessMetrics.CpuSeconds(mesh[0].Pid);
        var receiverBefore = ProcessMetrics.CpuSeconds(mesh[1].Pid);
        AddAutocommit(into, MeasuredAutocommit(c, autocommit));
        var sender = ProcessMetrics.CpuSeconds(mesh[0].Pid) - senderBefore;
        pair.SidecarCpuSeconds.Add(sender + ProcessMetrics.CpuSeconds(mesh[1].Pid) - receiverBefore);
        pair.SenderCpuSeconds.Add(sender);
        pair.AutocommitAnswers.Add(await mesh[0].MetricAsync(Answers) - answersBefore);
        into.AutocommitWaitMs.Add(meter.WaitedMs - before);
    }

    /// <summary>A member whose sidecar installed its capture triggers and was stopped: the capture floor.</summary>
    private static async Task<BenchNode> CaptureFloorAsync(string name, string folder)
    {
        var node = new BenchNode(name, folder);
        try
        {
            node.CreateDatabase();
            await node.StartAsync();
            await node.WaitReadyAsync();
            await node.StopAsync();
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Before a measured write: the disk's queue emptied of what came before (<see cref="DiskQuiet"/>), then the bench's
    /// JIT quiet (<see cref="JitQuiet"/>).
    /// </summary>
    private static void BeforeMeasuring()
    {
        DiskQuiet.Flush();
        JitQuiet.Wait();
    }

    private static void Write(SqliteConnection c, int rows, int autocommit, Writes into)
    {
        var meter = BusyMeter.Attach(c);
        BeforeMeasuring();
        into.TxSeconds.Add(LimitCases.WriteRows(c, "t", rows, upsert: false));
        into.TxWaitMs.Add(meter.WaitedMs);
        var before = meter.WaitedMs;
        BeforeMeasuring();
        AddAutocommit(into, MeasuredAutocommit(c, autocommit));
        into.AutocommitWaitMs.Add(meter.WaitedMs - before);
    }

    /// <summary>
    /// The floor of replicating the app's writes on this machine: a bare loop on a thread of this process, scheduled as
    /// the sidecar's threads are, that polls the app database's <c>PRAGMA data_version</c> at the sidecar's commit
    /// watcher's pace (every millisecond, stretched under a burst of commits: <see cref="FoldPacer"/>),
    /// reads each new capture's row and stores it with its version in another database, keyed by the row's key as any
    /// replica must hold it, one transaction per poll. No HTTP, no version index, no Merkle tree, no conflict
    /// resolution, no second process.
    /// </summary>
    private static void Relay(string source, string target, CancellationToken stop)
    {
        NicePriority.LowerCurrentThread(HotPathConfig.DefaultNiceness);
        using var from = LimitCases.OpenApp(source);
        using var to = LimitCases.OpenApp(target);
        using var head = from.CreateCommand();
        head.CommandText = "SELECT coalesce(max(seq), 0) FROM __repl_log";
        var after = (long)head.ExecuteScalar()!;
        var pacer = new FoldPacer(); // the sidecar's pace: 1 ms, stretched under a burst of commits
        LimitCases.Exec(to, "CREATE TABLE copy(seq INTEGER NOT NULL, k TEXT PRIMARY KEY, v BLOB, hlc INTEGER NOT NULL)");
        BareRelay.Run(from, to, "SELECT l.seq, t.k, t.v, l.hlc FROM __repl_log l JOIN t ON t.k = l.k1 WHERE l.seq > @after ORDER BY l.seq",
            "copy", createTarget: false, after, stop, rows => pacer.Next(rows, Stopwatch.GetTimestamp(), TimeProvider.System));
    }

    private static void AddAutocommit(Writes into, (double Seconds, ThreadUsage.Snapshot App) measured)
    {
        into.AutocommitSeconds.Add(measured.Seconds);
        into.AutocommitAppCpuSeconds.Add(measured.App.UserSeconds + measured.App.SystemSeconds);
        into.AutocommitPreemptions.Add(measured.App.Involuntary);
        into.AutocommitRunQueueSeconds.Add(measured.App.RunQueueSeconds);
        into.AutocommitBlockedSeconds.Add(Math.Max(0, measured.Seconds - measured.App.UserSeconds - measured.App.SystemSeconds - measured.App.RunQueueSeconds));
    }

    /// <summary><see cref="Autocommit"/> with the calling thread's CPU time and context switches over the writes.</summary>
    private static (double Seconds, ThreadUsage.Snapshot App) MeasuredAutocommit(SqliteConnection c, int rows)
    {
        var before = ThreadUsage.Now();
        var seconds = Autocommit(c, rows);
        return (seconds, ThreadUsage.Now() - before);
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
