using System.Diagnostics;
using System.IO.Compression;
using K8sReplication.Bench.Mesh;
using K8sReplication.Bench.Suite;
using K8sReplication.Sidecar.Backup;
using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Storage;
using K8sReplication.TestKit.Tools;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Bench.Cases;

/// <summary>
/// Continuous backup, in this process on the sidecar's own types:
/// <list type="number">
/// <item>A member database (capture triggers installed by a <see cref="ReplicaStore"/>) takes N bench rows (1,000,000
///   in a full run) from the app in 10k-row transactions; the store folds them, as the sidecar would, and the WAL is
///   checkpointed into the database file.</item>
/// <item>Per repetition: <see cref="Archiver.ArchiveAsync"/> of every row into a new file:// archive, against the
///   physical limit of the same work — <c>SELECT k, v</c> of the rows, gzip at the archive's level (Fastest) into a
///   file, fsync; then <see cref="Archiver.SnapshotIfDueAsync"/> into a second, empty archive (a snapshot is due in an
///   archive that has none).</item>
/// <item>Per repetition: <see cref="Restorer.RestoreAsync"/> into a new file from the segments-only archive and from
///   the snapshot-only one, against copying the database file and fsyncing the copy. Each restored table must hold N
///   rows or the case fails. Then the same restore from segments by the real command (<c>k8srepl-sidecar restore</c>,
///   the build the run's meshes use) in its own process, whose peak RSS (VmHWM, polled every 20 ms) is the restore's
///   memory: in this process the heap that writing and archiving the rows grew stays committed.</item>
/// <item>When s3rver is installed (K8SREPL_S3RVER or .tools/s3rver): per repetition, the same archive to a local
///   s3rver and the restore from it; otherwise a note says it was not measured.</item>
/// <item>Once, after the repetitions: <see cref="RestorePhases"/> splits a restore from segments into its steps.</item>
/// </list>
/// The archives, the copies and the restored files are all in the page cache when read (as a restore from a local
/// volume right after archiving would be): the comparison is of CPU and write work, not of cold reads.
/// </summary>
internal static class BackupCase
{
    /// <summary>What one archive of every row cost and produced.</summary>
    public sealed record Result(int Rows, double RowBytes, double DatabaseBytes, int Segments,
        Sample ArchiveSeconds, Sample ReferenceSeconds, Sample ArchiveBytes, Sample ReferenceBytes, Sample SnapshotSeconds, Sample SnapshotBytes,
        Sample CopySeconds, Sample RestoreSegmentsSeconds, Sample RestoreSnapshotSeconds,
        Sample CommandSeconds, Sample CommandPeakRssMb, RestorePhases.Split Phases, Sample S3ArchiveSeconds, Sample S3RestoreSeconds);

    /// <summary>Why the S3 rows are empty, when s3rver is not installed.</summary>
    public const string S3Missing = "s3rver not installed (K8SREPL_S3RVER or .tools/s3rver; ./test.sh installs it): not measured";

    public static async Task<Result> RunAsync(SuiteOptions o)
    {
        var rows = o.Quick ? 100_000 : 1_000_000;
        var folder = Path.Combine(o.Dir, "backup");
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
        var db = Path.Combine(folder, "member.db");
        using (var app = LimitCases.OpenApp(db))
        {
            LimitCases.Exec(app, "CREATE TABLE t(k TEXT PRIMARY KEY, v BLOB)");
        }

        using var store = ReplicaStore.Open(new ReplicaStoreOptions { DatabasePath = db });
        double rowBytes;
        using (var app = LimitCases.OpenApp(db))
        {
            LimitCases.WriteRows(app, "t", rows, upsert: false, batch: 10_000);
            while (store.Fold() > 0)
            {
            }

            LimitCases.Exec(app, "PRAGMA wal_checkpoint(TRUNCATE)");
            using var cmd = app.CreateCommand();
            cmd.CommandText = "SELECT sum(length(k) + length(v)) FROM t";
            rowBytes = Convert.ToDouble(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }

        var r = new Result(rows, rowBytes, new FileInfo(db).Length, 0,
            new Sample("s"), new Sample("s"), new Sample("bytes"), new Sample("bytes"), new Sample("s"), new Sample("bytes"),
            new Sample("s"), new Sample("s"), new Sample("s"),
            new Sample("s"), new Sample("MB"), RestorePhases.Split.Empty, new Sample("s"), new Sample("s"));
        await using var s3 = S3rverServer.IsInstalled ? new S3rverServer() : null;
        if (s3 is null)
        {
            Console.Error.WriteLine("  backup: " + S3Missing);
        }
        else
        {
            await s3.StartAsync();
        }

        var segments = 0;
        var lastSegmentsArchive = "";
        for (var rep = 0; rep < o.Reps; rep++)
        {
            var repFolder = Path.Combine(folder, "rep" + rep);
            Directory.CreateDirectory(repFolder);
            Sync();
            var (referenceSeconds, referenceBytes) = SelectAndGzip(db, Path.Combine(repFolder, "rows.gz"));
            r.ReferenceSeconds.Add(referenceSeconds);
            r.ReferenceBytes.Add(referenceBytes);

            var segmentsArchive = Path.Combine(repFolder, "segments");
            Sync();
            var (archiveSeconds, archiveBytes) = await ArchiveAsync(store, FileUrl(segmentsArchive), null, snapshot: false);
            r.ArchiveSeconds.Add(archiveSeconds);
            r.ArchiveBytes.Add(archiveBytes);
            segments = Directory.GetFiles(segmentsArchive, "*.seg", SearchOption.AllDirectories).Length;
            lastSegmentsArchive = segmentsArchive;

            var snapshotArchive = Path.Combine(repFolder, "snapshot");
            Sync();
            var (snapshotSeconds, snapshotBytes) = await ArchiveAsync(store, FileUrl(snapshotArchive), null, snapshot: true);
            r.SnapshotSeconds.Add(snapshotSeconds);
            r.SnapshotBytes.Add(snapshotBytes);

            Sync();
            r.CopySeconds.Add(CopyAndFsync(db, Path.Combine(repFolder, "copy.db")));
            File.Delete(Path.Combine(repFolder, "copy.db"));

            Sync();
            r.RestoreSegmentsSeconds.Add(await RestoreAsync(FileUrl(segmentsArchive), null, Path.Combine(repFolder, "from-segments.db"), rows, snapshot: false));
            Sync();
            r.RestoreSnapshotSeconds.Add(await RestoreAsync(FileUrl(snapshotArchive), null, Path.Combine(repFolder, "from-snapshot.db"), rows, snapshot: true));
            Sync();
            var (commandSeconds, commandPeak) = await RestoreCommandAsync(FileUrl(segmentsArchive), Path.Combine(repFolder, "by-command.db"), rows);
            r.CommandSeconds.Add(commandSeconds);
            r.CommandPeakRssMb.Add(commandPeak);
            if (s3 is not null)
            {
                var url = $"s3://{S3rverServer.Bucket}/rep{rep}";
                Sync();
                r.S3ArchiveSeconds.Add((await ArchiveAsync(store, url, s3, snapshot: false)).Seconds);
                Sync();
                r.S3RestoreSeconds.Add(await RestoreAsync(url, s3, Path.Combine(repFolder, "from-s3.db"), rows, snapshot: false));
            }

            if (rep < o.Reps - 1)
            {
                Directory.Delete(repFolder, recursive: true);
            }
        }

        Sync();
        var phases = await RestorePhases.MeasureAsync(lastSegmentsArchive, Path.Combine(folder, "phases.db"));
        return r with { Segments = segments, Phases = phases };
    }

    /// <summary>Archives every row of the member into a new archive (change segments, or one base snapshot); returns seconds and bytes uploaded.</summary>
    private static async Task<(double Seconds, long Bytes)> ArchiveAsync(ReplicaStore store, string url, S3rverServer? s3, bool snapshot)
    {
        using var remote = Open(url, s3);
        var archiver = new Archiver(store, remote, new BackupSettings
        {
            Location = BackupLocation.Parse(url, out _)!, // the archived position is kept per URL: each archive starts from nothing
            Interval = TimeSpan.FromSeconds(1),
            SnapshotInterval = TimeSpan.FromMinutes(1),
            Retention = TimeSpan.FromDays(7),
        }, TimeProvider.System);
        var bytes = 0L;
        archiver.Uploaded += (_, n) => bytes += n;
        var sw = Stopwatch.StartNew();
        if (snapshot ? !await archiver.SnapshotIfDueAsync(CancellationToken.None) : await archiver.ArchiveAsync(CancellationToken.None) == 0)
        {
            throw new InvalidOperationException($"nothing was archived into {url}");
        }

        return (sw.Elapsed.TotalSeconds, bytes);
    }

    /// <summary>Restores the archive in this process into a new file and checks it holds every row, from a snapshot or not as expected; returns seconds.</summary>
    private static async Task<double> RestoreAsync(string url, S3rverServer? s3, string target, int rows, bool snapshot)
    {
        using var remote = Open(url, s3);
        var sw = Stopwatch.StartNew();
        var report = await new Restorer(remote).RestoreAsync(target, null, false, false, CancellationToken.None);
        var seconds = sw.Elapsed.TotalSeconds;
        var count = CheckRestored(target, rows);
        if (report.Rows != rows || (report.Snapshot is not null) != snapshot)
        {
            throw new InvalidOperationException($"restore of {url}: the report says {report.Rows} rows (snapshot {report.Snapshot ?? "none"}); expected {rows}");
        }

        return seconds;
    }

    /// <summary>Runs <c>k8srepl-sidecar restore</c> to completion; returns seconds (process start included) and its peak RSS in MB.</summary>
    private static async Task<(double Seconds, double PeakRssMb)> RestoreCommandAsync(string url, string target, int rows)
    {
        var sw = Stopwatch.StartNew();
        using var process = Process.Start(BenchNode.Sidecar.CreateStartInfo(["restore", "--from", url, "--to", target]))
            ?? throw new InvalidOperationException("could not start the sidecar");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var peak = 0.0;
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        while (!process.HasExited)
        {
            try
            {
                // An exited process not reaped yet has no memory lines (NaN).
                if (ProcessMetrics.PeakRssMb(process.Id) is var mb && double.IsFinite(mb))
                {
                    peak = Math.Max(peak, mb);
                }
            }
            catch (IOException)
            {
                break; // exited between the check and the read
            }

            await Task.Delay(20, deadline.Token);
        }

        await process.WaitForExitAsync(deadline.Token);
        var seconds = sw.Elapsed.TotalSeconds;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"k8srepl-sidecar restore exited {process.ExitCode}: {await stderr}{await stdout}");
        }

        CheckRestored(target, rows);
        return (seconds, peak);
    }

    /// <summary>Fails unless the restored table holds <paramref name="rows"/> rows; deletes the file.</summary>
    private static long CheckRestored(string target, int rows)
    {
        long count;
        using (var c = LimitCases.OpenApp(target))
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT count(*) FROM t";
            count = (long)cmd.ExecuteScalar()!;
        }

        SqliteConnection.ClearAllPools();
        LimitCases.DeleteDb(target);
        return count == rows ? count : throw new InvalidOperationException($"the restored table {target} holds {count} rows; expected {rows}");
    }

    private static string FileUrl(string folder) => new Uri(folder + "/").AbsoluteUri;

    private static IRemoteStore Open(string url, S3rverServer? s3) => s3 is null ? RemoteStores.Open(url, null, null) : RemoteStores.Open(url, s3.Endpoint, S3rverServer.Credentials);

    /// <summary>The limit of archiving: every row read with a plain SELECT, gzip-compressed at the archive's level into a file, fsynced.</summary>
    private static (double Seconds, long Bytes) SelectAndGzip(string db, string output)
    {
        var sw = Stopwatch.StartNew();
        using (var c = LimitCases.OpenApp(db))
        using (var file = new FileStream(output, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
        {
            using (var gzip = new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true))
            {
                using var cmd = c.CreateCommand();
                cmd.CommandText = "SELECT k, v FROM t";
                using var reader = cmd.ExecuteReader();
                var key = new byte[256];
                while (reader.Read())
                {
                    var n = (int)reader.GetBytes(0, 0, key, 0, key.Length);
                    gzip.Write(key, 0, n);
                    gzip.Write((byte[])reader.GetValue(1));
                }
            }

            file.Flush(flushToDisk: true);
        }

        var seconds = sw.Elapsed.TotalSeconds;
        var bytes = new FileInfo(output).Length;
        File.Delete(output);
        return (seconds, bytes);
    }

    /// <summary>The limit of restoring: copying the database file and fsyncing the copy.</summary>
    private static double CopyAndFsync(string source, string target)
    {
        var sw = Stopwatch.StartNew();
        File.Copy(source, target);
        using (var handle = File.OpenHandle(target, FileMode.Open, FileAccess.ReadWrite))
        {
            RandomAccess.FlushToDisk(handle);
        }

        return sw.Elapsed.TotalSeconds;
    }

    /// <summary>Writes back everything dirty first, so no step pays for the previous one's write-back.</summary>
    private static void Sync() => Shell.Run("sync", []);
}
