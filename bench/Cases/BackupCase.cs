using System.Diagnostics;
using System.IO.Compression;
using K8sReplication.Bench.Suite;
using K8sReplication.Sidecar.Backup;
using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Storage;
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
///   rows or the case fails. The process's peak RSS during each restore is read from VmHWM after resetting it.</item>
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
        Sample RssBeforeRestoreMb, Sample PeakRssSegmentsMb, Sample PeakRssSnapshotMb, bool PeakIsExact, RestorePhases.Split Phases);

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
            new Sample("MB"), new Sample("MB"), new Sample("MB"), ProcessMetrics.ResetPeakRss(), RestorePhases.Split.Empty);
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
            var (archiveSeconds, archiveBytes) = await ArchiveAsync(store, segmentsArchive, snapshot: false);
            r.ArchiveSeconds.Add(archiveSeconds);
            r.ArchiveBytes.Add(archiveBytes);
            segments = Directory.GetFiles(segmentsArchive, "*.seg", SearchOption.AllDirectories).Length;
            lastSegmentsArchive = segmentsArchive;

            var snapshotArchive = Path.Combine(repFolder, "snapshot");
            Sync();
            var (snapshotSeconds, snapshotBytes) = await ArchiveAsync(store, snapshotArchive, snapshot: true);
            r.SnapshotSeconds.Add(snapshotSeconds);
            r.SnapshotBytes.Add(snapshotBytes);

            Sync();
            r.CopySeconds.Add(CopyAndFsync(db, Path.Combine(repFolder, "copy.db")));
            File.Delete(Path.Combine(repFolder, "copy.db"));

            Sync();
            r.RestoreSegmentsSeconds.Add(await RestoreAsync(segmentsArchive, Path.Combine(repFolder, "from-segments.db"), rows, expectSnapshot: false, r));
            Sync();
            r.RestoreSnapshotSeconds.Add(await RestoreAsync(snapshotArchive, Path.Combine(repFolder, "from-snapshot.db"), rows, expectSnapshot: true, r));
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
    private static async Task<(double Seconds, long Bytes)> ArchiveAsync(ReplicaStore store, string archive, bool snapshot)
    {
        var url = new Uri(archive + "/").AbsoluteUri;
        using var remote = RemoteStores.Open(url, null, null);
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

    /// <summary>Restores the archive into a new file and checks it holds every row; returns seconds and adds the peak RSS to the result.</summary>
    private static async Task<double> RestoreAsync(string archive, string target, int rows, bool expectSnapshot, Result r)
    {
        using var remote = RemoteStores.Open(new Uri(archive + "/").AbsoluteUri, null, null);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        var before = ProcessMetrics.RssMb(Environment.ProcessId);
        ProcessMetrics.ResetPeakRss();
        var sw = Stopwatch.StartNew();
        var report = await new Restorer(remote).RestoreAsync(target, null, false, false, CancellationToken.None);
        var seconds = sw.Elapsed.TotalSeconds;
        (expectSnapshot ? r.PeakRssSnapshotMb : r.PeakRssSegmentsMb).Add(ProcessMetrics.PeakRssMb(Environment.ProcessId));
        if (!expectSnapshot)
        {
            r.RssBeforeRestoreMb.Add(before);
        }

        var count = CountRows(target);
        if (report.Rows != rows || count != rows || (report.Snapshot is not null) != expectSnapshot)
        {
            throw new InvalidOperationException(
                $"restore of {archive}: report says {report.Rows} rows (snapshot {report.Snapshot ?? "none"}), the table holds {count}; expected {rows}");
        }

        SqliteConnection.ClearAllPools();
        File.Delete(target);
        return seconds;
    }

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

    private static long CountRows(string path)
    {
        using var c = LimitCases.OpenApp(path);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM t";
        return (long)cmd.ExecuteScalar()!;
    }

    /// <summary>Writes back everything dirty first, so no step pays for the previous one's write-back.</summary>
    private static void Sync() => Shell.Run("sync", []);
}
