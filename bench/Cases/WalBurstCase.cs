using System.Diagnostics;
using K8sReplication.Bench.Mesh;
using K8sReplication.Bench.Suite;

namespace K8sReplication.Bench.Cases;

/// <summary>
/// The app database's WAL during and after a burst: member 0 of a connected pair takes N rows in 1000-row
/// transactions (1,000,000 in a full run) while a thread samples the WAL file's length every 50 ms; once member 1 has
/// every row the database is left quiet: once the sidecar has folded the burst's captures, the WAL file is watched
/// until it is at most 64 MiB (time counted from the last row replicated), then for 3 s more.
/// </summary>
internal static class WalBurstCase
{
    public const long BoundBytes = 64L * 1024 * 1024;

    public sealed record Result(Sample PeakMb, Sample AfterIdleMb, Sample SecondsToBound, Sample DatabaseMb, int Rows);

    public static async Task<Result> RunAsync(SuiteOptions o)
    {
        var rows = o.Quick ? 100_000 : 1_000_000;
        var peak = new Sample("MB");
        var after = new Sample("MB");
        var toBound = new Sample("s");
        var database = new Sample("MB");
        await using var mesh = await BenchMesh.StartAsync(Path.Combine(o.Dir, "walburst"), 2);
        await mesh.ConnectAsync();
        var wal = mesh[0].DbPath + "-wal";
        long Length(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

        using var stop = new CancellationTokenSource();
        var highest = 0L;
        var sampler = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                Interlocked.Exchange(ref highest, Math.Max(Interlocked.Read(ref highest), Length(wal)));
                Thread.Sleep(50);
            }
        }) { IsBackground = true, Name = "wal-sampler" };
        sampler.Start();
        using (var c = mesh[0].Open())
        {
            var clock = Stopwatch.StartNew();
            LimitCases.WriteRows(c, "t", rows, upsert: false);
            await ThroughputCase.WaitCountAsync(mesh[1], rows, clock);
        }

        // Idle: the sidecar folds what the burst left once the app is quiet, and that writes too.
        var quiet = Stopwatch.StartNew();
        await Shell.WaitAsync(async () => (await mesh[0].StatusAsync()).Storage.CaptureBacklog == 0, TimeSpan.FromMinutes(5), "the capture backlog folded", 100);
        await Shell.WaitAsync(() => Task.FromResult(Length(wal) <= BoundBytes), TimeSpan.FromMinutes(2), "the WAL file back within 64 MiB", 50);
        toBound.Add(quiet.Elapsed.TotalSeconds);
        await Task.Delay(TimeSpan.FromSeconds(3));
        await stop.CancelAsync();
        sampler.Join();
        peak.Add(Interlocked.Read(ref highest) / 1e6);
        after.Add(Length(wal) / 1e6);
        database.Add(Length(mesh[0].DbPath) / 1e6);
        return new Result(peak, after, toBound, database, rows);
    }
}
