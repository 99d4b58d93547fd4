using System.Globalization;
using K8sReplication.Bench.Cases;

namespace K8sReplication.Bench.Suite;

/// <summary>
/// Table rows of the backup case: archiving against reading and gzipping the same rows, restoring against copying the
/// database file, the bytes uploaded against the rows' own bytes, and the split of a restore into its steps.
/// </summary>
internal static class BackupRows
{
    private const string Section = "ours";

    public static IEnumerable<ResultRow> Of(BackupCase.Result r)
    {
        var n = r.Rows.ToString("N0", CultureInfo.InvariantCulture);
        var rowsMb = r.RowBytes / 1e6;
        var reference = "SELECT k, v of the rows + gzip (Fastest) to a file + fsync";
        var copy = "copy of the database file + fsync";
        var rowNote = string.Create(CultureInfo.InvariantCulture,
            $"{rowsMb:0.0} MB of keys and values ({r.RowBytes / r.Rows:0} bytes a row); database file {r.DatabaseBytes / 1e6:0.0} MB");

        yield return new(Section, $"backup: archive {n} rows to a file:// archive ({r.Segments} change segments)", r.ArchiveSeconds, reference, r.ReferenceSeconds,
            Note: rowNote);
        yield return new(Section, "backup: archive rate, rows/s", Rate(r.ArchiveSeconds, r.Rows, "rows/s"), reference, Rate(r.ReferenceSeconds, r.Rows, "rows/s"), Better: "higher");
        yield return new(Section, "backup: archive rate, MB/s of keys and values", Rate(r.ArchiveSeconds, rowsMb, "MB/s"), reference, Rate(r.ReferenceSeconds, rowsMb, "MB/s"), Better: "higher");
        yield return new(Section, "backup: bytes uploaded by the archive (gzip segments)", r.ArchiveBytes, "the rows' keys and values", Sample.Of("bytes", r.RowBytes),
            Note: "random 100-byte values do not compress; the keys and the feed framing do");
        yield return new(Section, "backup: bytes uploaded by the archive, against gzip of the bare rows", r.ArchiveBytes, reference, r.ReferenceBytes);
        yield return new(Section, "backup: bytes uploaded by the archive, against the database file", r.ArchiveBytes, "database file", Sample.Of("bytes", r.DatabaseBytes));
        yield return new(Section, $"backup: base snapshot of {n} rows (SnapshotIfDueAsync into an empty archive)", r.SnapshotSeconds, "archiving the same rows as segments", r.ArchiveSeconds);
        yield return new(Section, "backup: base snapshot bytes", r.SnapshotBytes, "change segments of the same rows", r.ArchiveBytes);
        yield return new(Section, $"backup: restore {n} rows from change segments (in process, into a new file)", r.RestoreSegmentsSeconds, copy, r.CopySeconds);
        yield return new(Section, $"backup: restore {n} rows from a base snapshot", r.RestoreSnapshotSeconds, copy, r.CopySeconds);
        yield return new(Section, "backup: restore from a base snapshot, against from change segments", r.RestoreSnapshotSeconds, "restore from change segments", r.RestoreSegmentsSeconds);
        yield return new(Section, $"backup: restore {n} rows from change segments by `k8srepl-sidecar restore` (own process, start-up included)",
            r.CommandSeconds, "the same in this process", r.RestoreSegmentsSeconds);
        yield return new(Section, $"backup: peak RSS of `k8srepl-sidecar restore` of {n} rows from change segments", r.CommandPeakRssMb,
            "the rows' keys and values", Sample.Of("MB", rowsMb), Note: "VmHWM of the process, polled every 20 ms");
        var s3Note = r.S3ArchiveSeconds.Count == 0 ? BackupCase.S3Missing : "s3rver on 127.0.0.1 (a Node.js server writing files: a functional S3, not AWS's speed)";
        yield return new(Section, $"backup: archive {n} rows to s3rver", r.S3ArchiveSeconds, "the same to a file:// archive", r.ArchiveSeconds, Note: s3Note);
        yield return new(Section, $"backup: restore {n} rows from change segments on s3rver", r.S3RestoreSeconds, "the same from a file:// archive", r.RestoreSegmentsSeconds, Note: s3Note);

        var p = r.Phases;
        var total = Sample.Of("s", p.ReadSeconds + p.HashSeconds + p.GunzipSeconds + p.ParseSeconds + p.ApplySeconds);
        var split = $"restore from change segments, steps timed one by one ({p.Changes:N0} changes)";
        foreach (var (step, seconds) in new[]
                 {
                     ("list + read the objects", p.ReadSeconds), ("SHA-256 of the objects", p.HashSeconds), ("gunzip", p.GunzipSeconds),
                     ("decode the feed frames", p.ParseSeconds), ("ApplyBatch (last-writer-wins) in 10k-change batches", p.ApplySeconds),
                 })
        {
            yield return new(Section, $"backup: {split}: {step}", Sample.Of("s", seconds), "sum of the steps", total,
                Note: string.Create(CultureInfo.InvariantCulture, $"{seconds / p.Changes * 1e6:0.00} µs per change"));
        }

        yield return new(Section, "backup: the same ApplyBatch with the changes sorted by key first (what the restore does, per object)",
            Sample.Of("s", p.SortedApplySeconds), "ApplyBatch in archive order", Sample.Of("s", p.ApplySeconds),
            Note: string.Create(CultureInfo.InvariantCulture, $"{p.SortedApplySeconds / p.Changes * 1e6:0.00} µs per change, sort included"));
    }

    private static Sample Rate(Sample seconds, double amount, string unit) => Sample.Of(unit, [.. seconds.Values.Select(s => amount / s)]);
}
