using System.Globalization;
using System.Text.RegularExpressions;
using K8sReplication.Sidecar.Storage;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Backup;

/// <summary>What a restore did, printed as one JSON line.</summary>
internal sealed record RestoreReport
{
    /// <summary><c>restored</c>, or <c>skipped</c> (with <see cref="Reason"/>).</summary>
    public string Event { get; init; } = "";

    public string Path { get; init; } = "";

    /// <summary>Live rows in the restored database.</summary>
    public long? Rows { get; init; }

    /// <summary>The restore point: the <c>--at</c> asked for, or the newest change restored.</summary>
    public string? At { get; init; }

    /// <summary>Change segments applied (besides the snapshot).</summary>
    public int? Segments { get; init; }

    /// <summary>Key of the base snapshot used, if any.</summary>
    public string? Snapshot { get; init; }

    /// <summary>Why nothing was written (<c>skipped</c>).</summary>
    public string? Reason { get; init; }
}

/// <summary>A restore that cannot be done (no backup, a gap, a damaged object, a bad target); the message says why.</summary>
internal sealed class RestoreFailedException(string message, bool refused = false) : Exception(message)
{
    /// <summary>Refused before anything was read (the target is not empty): exit code 2.</summary>
    public bool Refused { get; } = refused;
}

/// <summary>
/// Point-in-time restore (docs/backup.md): builds a new SQLite file from an archive holding every archived change of
/// every member with a version at or before the restore point, resolved as the mesh resolves them (the changes are
/// applied through the same last-writer-wins path a member uses for its peers'). The base is the newest snapshot at or
/// before the point; then, per member, every segment above what the snapshot holds. A damaged object or a gap in a
/// member's segments fails the restore, and nothing is left at the target path: the database is built beside it and
/// renamed into place only when complete. The result is an ordinary member database with a new site id.
/// </summary>
internal sealed partial class Restorer(IRemoteStore remote)
{
    /// <summary>Changes applied per write transaction.</summary>
    private const int ApplyBatch = 10_000;

    private const string CursorKey = "restore";

    /// <summary>
    /// How far ahead of this machine's clock an archived version may be (members refuse more than their maxClockSkew,
    /// 5 minutes by default; this allows for this machine's own clock being behind). Further is damage: the restore
    /// fails rather than give the new member a clock far in the future.
    /// </summary>
    private static readonly TimeSpan ArchiveClockSkew = TimeSpan.FromDays(1);

    /// <summary>Page cache of the database being built (64 MiB): the restore is the only user of it.</summary>
    private const int RestoreCacheKiB = 64 * 1024;

    public async Task<RestoreReport> RestoreAsync(string path, DateTimeOffset? at, bool ifMissing, bool ifBackupExists, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var target = System.IO.Path.GetFullPath(path);
        if (HoldsDatabase(target))
        {
            return ifMissing
                ? new RestoreReport { Event = "skipped", Path = target, Reason = "a database exists at the path (--if-missing)" }
                : throw new RestoreFailedException($"{target} exists and is not empty; restore writes a new database only (--if-missing leaves an existing one alone)", refused: true);
        }

        var atHlc = at is { } point ? HybridClock.FromMilliseconds(point.ToUnixTimeMilliseconds()) | 0xFFFF : long.MaxValue;
        var segments = new List<SegmentKey>();
        var manifests = new List<SnapshotKey>();
        await foreach (var item in remote.ListAsync(ArchiveLayout.SegmentsPrefix, cancellationToken))
        {
            if (ArchiveLayout.ParseSegment(item.Key) is { } segment)
            {
                segments.Add(segment);
            }
        }

        await foreach (var item in remote.ListAsync(ArchiveLayout.SnapshotsPrefix, cancellationToken))
        {
            if (ArchiveLayout.ParseManifest(item.Key) is { } manifest)
            {
                manifests.Add(manifest);
            }
        }

        if (segments.Count == 0 && manifests.Count == 0)
        {
            return ifBackupExists
                ? new RestoreReport { Event = "skipped", Path = target, Reason = $"no backup at {remote.Describe} (--if-backup-exists)" }
                : throw new RestoreFailedException($"no backup at {remote.Describe}: no change segment and no snapshot");
        }

        // The base: the newest snapshot holding nothing newer than the restore point whose coverage leaves no gap in any
        // member's segments (a snapshot by a member that had just started may hold less than an older one); else none.
        var candidates = new List<(SnapshotKey? Key, SnapshotManifest? Manifest)>();
        foreach (var key in manifests)
        {
            var manifest = await Archiver.ReadManifestAsync(remote, key, cancellationToken);
            if (manifest.MaxHlc <= atHlc)
            {
                candidates.Add((key, manifest));
            }
        }

        candidates = [.. candidates.OrderByDescending(c => c.Manifest!.MaxHlc).ThenByDescending(c => c.Key!.CreatedMs), (null, null)];
        RestoreFailedException? firstGap = null;
        SnapshotManifest? snapshot = null;
        SnapshotKey? snapshotKey = null;
        List<SegmentKey>? needed = null;
        foreach (var (key, manifest) in candidates)
        {
            try
            {
                needed = NeededSegments(segments, manifest, atHlc);
                (snapshot, snapshotKey) = (manifest, key);
                break;
            }
            catch (RestoreFailedException gap)
            {
                firstGap ??= gap;
            }
        }

        if (needed is null)
        {
            throw firstGap!;
        }

        // Every object is fetched and checked first (kept compressed); the newest table definitions create the tables;
        // then the objects are decoded and applied one at a time, so memory holds the archive's bytes and one object's
        // changes, never every change at once.
        // A segment's changes at or below what the snapshot holds of its member are left out: the snapshot has them, or
        // knows better (a delete whose tombstone was collected everywhere, so that neither the row nor the tombstone is there).
        var objects = new List<(string Key, byte[] Bytes, string Sha256, long AboveSeq, ArchiveHeader Header)>();
        var sources = (snapshot?.Parts ?? []).Select(p => (p.Key, p.Sha256, -1L))
            .Concat(needed.Select(n => (n.Key, n.Sha256, snapshot is not null && snapshot.Coverage.TryGetValue(n.Site, out var covered) ? covered : -1L)));
        foreach (var (key, sha, aboveSeq) in sources)
        {
            var bytes = await remote.GetAsync(key, cancellationToken) ?? throw new RestoreFailedException($"archive object {key} was listed but is gone");
            objects.Add((key, bytes, sha, aboveSeq, ArchiveFormat.ReadHeader(key, bytes, sha)));
        }

        var definitions = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (_, _, _, _, header) in objects.OrderBy(o => o.Header.CreatedAt))
        {
            foreach (var (table, statements) in header.Tables)
            {
                definitions[table] = statements; // the newest definition of each table wins
            }
        }

        var (rows, newest) = Build(target, definitions, objects.Select(o => (o.Key, o.Bytes, o.Sha256, o.AboveSeq)), atHlc);
        return new RestoreReport
        {
            Event = "restored",
            Path = target,
            Rows = rows,
            At = (at ?? (newest == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(HybridClock.ToMilliseconds(newest))))?.UtcDateTime
                .ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            Segments = needed.Count,
            Snapshot = snapshotKey?.Manifest,
        };
    }

    /// <summary>
    /// Per member, the segments a restore at <paramref name="atHlc"/> needs above what <paramref name="snapshot"/>
    /// holds, in order; throws on a gap before the restore point.
    /// </summary>
    public static List<SegmentKey> NeededSegments(IEnumerable<SegmentKey> segments, SnapshotManifest? snapshot, long atHlc)
    {
        ArgumentNullException.ThrowIfNull(segments);
        var needed = new List<SegmentKey>();
        foreach (var site in segments.GroupBy(s => s.Site, StringComparer.Ordinal))
        {
            var reach = snapshot is not null && snapshot.Coverage.TryGetValue(site.Key, out var covered) ? covered : 0;
            foreach (var segment in site.Where(s => s.To > reach).OrderBy(s => s.From).ThenBy(s => s.To))
            {
                if (segment.From > reach)
                {
                    throw new RestoreFailedException(
                        $"the archive of member {site.Key} has a gap: segment {segment.Key} starts after seq {segment.From}, the segments before it reach seq {reach}" +
                        (snapshot is null ? "" : " (with the snapshot)"));
                }

                if (segment.MinHlc > atHlc)
                {
                    break; // this member's later changes are all after the restore point
                }

                if (segment.To > reach)
                {
                    needed.Add(segment);
                    reach = segment.To;
                }
            }
        }

        return needed;
    }

    /// <summary>
    /// Builds the database beside <paramref name="target"/> from <paramref name="objects"/> (decoded one at a time,
    /// their changes at or before <paramref name="atHlc"/> applied), then renames it into place; returns its live rows
    /// and the newest HLC applied.
    /// </summary>
    private static (long Rows, long Newest) Build(string target, Dictionary<string, List<string>> definitions,
        IEnumerable<(string Key, byte[] Bytes, string Sha256, long AboveSeq)> objects, long atHlc)
    {
        var directory = System.IO.Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(directory);
        var temp = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(target)}.restore-{Guid.NewGuid():N}");
        try
        {
            Dictionary<string, object?[]> defaults;
            using (var connection = Open(temp))
            {
                foreach (var (table, statements) in definitions)
                {
                    foreach (var statement in statements)
                    {
                        CheckDefinition(table, statement);
                        Execute(connection, statement);
                    }
                }

                CheckCreated(connection, definitions.Keys);
                defaults = definitions.Keys.ToDictionary(t => t, t => ColumnDefaults(connection, t), StringComparer.Ordinal);
            }

            long rows;
            var newest = 0L;
            using (var store = ReplicaStore.Open(new ReplicaStoreOptions
                   {
                       DatabasePath = temp,
                       Tables = [.. definitions.Keys],
                       MaxClockSkew = ArchiveClockSkew, // the archive's clocks are history: one far ahead is damage, refused
                       SyncCommits = false, // built aside, synced once before it is renamed into place
                       CacheSizeKiB = RestoreCacheKiB,
                   }))
            {
                foreach (var (key, bytes, sha, aboveSeq) in objects)
                {
                    var changes = new List<Change>();
                    foreach (var change in ArchiveFormat.Decode(key, bytes, sha).Changes)
                    {
                        if (change.Version.Hlc > atHlc || change.Seq <= aboveSeq)
                        {
                            continue;
                        }

                        if (!defaults.TryGetValue(change.Table, out var columns))
                        {
                            throw new RestoreFailedException($"archive object {key} holds changes of table {change.Table}, which no definition in the archive creates");
                        }

                        changes.Add(WithColumnsOf(change, columns));
                        newest = Math.Max(newest, change.Version.Hlc);
                    }

                    // In key order: the rows, their key index and the version index are then written page after page
                    // instead of at random places (last-writer-wins does not depend on the order).
                    changes.Sort(static (a, b) =>
                    {
                        var byTable = string.CompareOrdinal(a.Table, b.Table);
                        return byTable != 0 ? byTable : a.Key.AsSpan().SequenceCompareTo(b.Key);
                    });
                    for (var start = 0; start < changes.Count; start += ApplyBatch)
                    {
                        var result = store.ApplyBatch(changes.GetRange(start, Math.Min(ApplyBatch, changes.Count - start)), CursorKey, "0");
                        if (result.RejectedFuture + result.RejectedSchema > 0 || !result.CursorStored)
                        {
                            throw new RestoreFailedException($"the changes of archive object {key} could not all be applied: " + string.Join("; ", result.Rejections));
                        }
                    }
                }

                rows = store.Counts().Rows;
            }

            using (var connection = Open(temp))
            {
                // What the mesh already logged is not a conflict of the new member; the restore's cursor is not a peer's.
                Execute(connection, "DELETE FROM __repl_conflicts");
                Execute(connection, $"DELETE FROM __repl_cursors WHERE key = '{CursorKey}'");
                Execute(connection, "PRAGMA wal_checkpoint(TRUNCATE)");
                Execute(connection, "PRAGMA journal_mode = DELETE"); // one self-contained file to rename
            }

            using (var file = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite))
            {
                file.Flush(flushToDisk: true); // commits did not wait for the disk: everything is on it before the rename
            }

            SqliteConnection.ClearAllPools();
            File.Move(temp, target, overwrite: true);
            FlushDirectory(directory);
            return (rows, newest);
        }
        catch (ChangeRejectedException e)
        {
            throw new RestoreFailedException($"the archive's changes could not be applied: {e.Message}");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var leftover in new[] { temp, temp + "-wal", temp + "-shm", temp + "-journal" })
            {
                File.Delete(leftover);
            }
        }
    }

    /// <summary>
    /// A row archived before columns were added to its table (ALTER TABLE ADD COLUMN) carries fewer values: the added
    /// columns get their defaults, as the rows already in the table got them when the column was added.
    /// </summary>
    private static Change WithColumnsOf(Change change, object?[] defaults)
    {
        if (change.Values is not { } values || values.Count >= defaults.Length)
        {
            return change;
        }

        var padded = new object?[defaults.Length];
        for (var i = 0; i < padded.Length; i++)
        {
            padded[i] = i < values.Count ? values[i] : defaults[i];
        }

        return change with { Values = padded };
    }

    /// <summary>Each column's default value (NULL when it has none), in column order.</summary>
    private static object?[] ColumnDefaults(SqliteConnection connection, string table)
    {
        var expressions = new List<string?>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT dflt_value FROM pragma_table_info($t) ORDER BY cid";
            command.Parameters.AddWithValue("$t", table);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                expressions.Add(reader.IsDBNull(0) ? null : reader.GetString(0));
            }
        }

        var values = new object?[expressions.Count];
        for (var i = 0; i < values.Length; i++)
        {
            if (expressions[i] is { } expression)
            {
                // A column default is a constant expression SQLite has already accepted in the table's definition.
                using var command = connection.CreateCommand();
                command.CommandText = "SELECT " + expression;
                var value = command.ExecuteScalar();
                values[i] = value is DBNull ? null : value;
            }
        }

        return values;
    }

    /// <summary>
    /// A table's definition from the archive is run as SQL, so it must be what the archiver wrote: one CREATE TABLE or
    /// CREATE [UNIQUE] INDEX statement, nothing after it.
    /// </summary>
    private static void CheckDefinition(string table, string statement)
    {
        var text = statement.TrimStart();
        var isTable = text.StartsWith("CREATE TABLE ", StringComparison.OrdinalIgnoreCase);
        var create = isTable || text.StartsWith("CREATE INDEX ", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("CREATE UNIQUE INDEX ", StringComparison.OrdinalIgnoreCase);
        if (!create || statement.TrimEnd().TrimEnd(';').Contains(';', StringComparison.Ordinal)
            || (isTable && AsSelect().IsMatch(statement)))
        {
            throw new RestoreFailedException($"the archive's definition of table {table} is not a single CREATE TABLE (with columns) or CREATE INDEX statement");
        }
    }

    /// <summary>The definitions created exactly the archive's tables and indexes on them: nothing else, nothing of the bookkeeping.</summary>
    private static void CheckCreated(SqliteConnection connection, IEnumerable<string> tables)
    {
        var expected = tables.ToHashSet(StringComparer.OrdinalIgnoreCase);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_autoindex_%'";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var (type, name, table) = (reader.GetString(0), reader.GetString(1), reader.GetString(2));
            if (!expected.Contains(table) || table.StartsWith("__repl", StringComparison.OrdinalIgnoreCase) || (type == "table" && name != table)
                || type is not ("table" or "index"))
            {
                throw new RestoreFailedException($"the archive's table definitions create {type} {name}, which is not one of its tables or an index on one");
            }
        }
    }

    [GeneratedRegex(@"\bAS\s*\(?\s*(SELECT|WITH|VALUES)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AsSelect();

    /// <summary>Whether <paramref name="path"/> holds a database: a non-empty file, or a WAL beside it.</summary>
    private static bool HoldsDatabase(string path) =>
        (File.Exists(path) && new FileInfo(path).Length > 0) || (File.Exists(path + "-wal") && new FileInfo(path + "-wal").Length > 0) || Directory.Exists(path);

    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static void FlushDirectory(string directory)
    {
        try
        {
            using var handle = File.OpenHandle(directory, FileMode.Open, FileAccess.Read);
            RandomAccess.FlushToDisk(handle);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort where directories cannot be opened; the rename itself is atomic.
        }
    }
}
