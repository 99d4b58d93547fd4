using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using K8sReplication.Sidecar.Backup;
using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Bench.Cases;

/// <summary>
/// Where a restore from change segments spends its time: the steps <see cref="Restorer"/> takes, run one after the
/// other over the whole archive, each timed on its own — list and read the objects, check their SHA-256, gunzip them,
/// decode the feed frames, apply the changes in 10k-change batches through <see cref="ReplicaStore.ApplyBatch"/> into a
/// new database (the last-writer-wins path a restore uses). Decoding is timed as <see cref="ArchiveFormat.Decode"/>,
/// which hashes and gunzips again, so its own share is that time less the hash and gunzip times. Last, an experiment:
/// the same changes sorted by table and key (stable, so a key's versions keep their order) and applied into a second new
/// database, to see what B-tree locality would save.
/// </summary>
internal static class RestorePhases
{
    private const int ApplyBatch = 10_000;

    public sealed record Split(double ReadSeconds, double HashSeconds, double GunzipSeconds, double ParseSeconds, double ApplySeconds, double SortedApplySeconds,
        long Changes)
    {
        public static Split Empty { get; } = new(0, 0, 0, 0, 0, 0, 0);
    }

    public static async Task<Split> MeasureAsync(string archive, string target)
    {
        using var remote = RemoteStores.Open(new Uri(archive + "/").AbsoluteUri, null, null);
        var sw = Stopwatch.StartNew();
        var objects = new List<(SegmentKey Key, byte[] Bytes)>();
        await foreach (var item in remote.ListAsync(ArchiveLayout.SegmentsPrefix, CancellationToken.None))
        {
            if (ArchiveLayout.ParseSegment(item.Key) is { } key)
            {
                objects.Add((key, await remote.GetAsync(key.Key, CancellationToken.None) ?? throw new InvalidOperationException($"{key.Key} listed but gone")));
            }
        }

        var read = sw.Elapsed.TotalSeconds;
        sw.Restart();
        foreach (var (_, bytes) in objects)
        {
            SHA256.HashData(bytes);
        }

        var hash = sw.Elapsed.TotalSeconds;
        sw.Restart();
        foreach (var (_, bytes) in objects)
        {
            using var gzip = new GZipStream(new MemoryStream(bytes, writable: false), CompressionMode.Decompress);
            gzip.CopyTo(Stream.Null);
        }

        var gunzip = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var changes = new List<Change>();
        foreach (var (key, bytes) in objects)
        {
            changes.AddRange(ArchiveFormat.Decode(key.Key, bytes, key.Sha256).Changes);
        }

        var parse = sw.Elapsed.TotalSeconds - hash - gunzip;
        objects.Clear();
        var apply = Apply(target, changes, sort: false);
        var sortedApply = Apply(target, changes, sort: true);
        return new Split(read, hash, gunzip, parse, apply, sortedApply, changes.Count);
    }

    /// <summary>Applies the changes into a new database in 10k-change batches (sorted by table and key first when asked, sort timed too); returns seconds.</summary>
    private static double Apply(string target, List<Change> changes, bool sort)
    {
        using (var app = LimitCases.OpenApp(target))
        {
            LimitCases.Exec(app, "CREATE TABLE t(k TEXT PRIMARY KEY, v BLOB)");
        }

        double seconds;
        using (var store = ReplicaStore.Open(new ReplicaStoreOptions { DatabasePath = target, MaxClockSkew = TimeSpan.FromDays(365 * 100) }))
        {
            var sw = Stopwatch.StartNew();
            var ordered = sort
                ? [.. changes.OrderBy(c => c.Table, StringComparer.Ordinal).ThenBy(c => c.Key, Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b)))]
                : changes;
            for (var start = 0; start < ordered.Count; start += ApplyBatch)
            {
                store.ApplyBatch(ordered.GetRange(start, Math.Min(ApplyBatch, ordered.Count - start)), "restore", "0");
            }

            seconds = sw.Elapsed.TotalSeconds;
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        LimitCases.DeleteDb(target);
        return seconds;
    }
}
