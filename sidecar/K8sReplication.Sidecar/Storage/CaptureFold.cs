using System.Globalization;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// The fold: moves capture-log entries into row versions (and the Merkle tree) in the store's write transactions.
/// Apply and install fold pending entries first in their own transaction (<see cref="FoldPending"/>), and every
/// transaction that takes the clock past the log raises the floor (<see cref="RaiseClockFloor"/>).
/// </summary>
internal sealed class CaptureFold(ReplicaContext context, VersionIndex versions)
{
    public const int FoldChunk = 10_000;
    /// <summary>Captures folded per write transaction by a slice (a few milliseconds of holding the write lock at most).</summary>
    public const int FoldSlice = 1000;
    private const string PendingCapturesSql = "SELECT EXISTS (SELECT 1 FROM __repl_log WHERE tbl <> 0)";

    private long consumed;

    /// <summary>
    /// Folds up to <paramref name="maxEntries"/> capture-log entries into the row-version table (and the Merkle tree)
    /// in one transaction. Returns the number of entries folded, or -1 when <paramref name="onlyIfLockFree"/> is set
    /// and another connection (the app, mid-transaction) holds the write lock: then the fold neither waits for the
    /// lock nor takes it.
    /// </summary>
    public int Fold(int maxEntries = FoldChunk, bool onlyIfLockFree = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        lock (writeGate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (Raw(PendingCapturesSql).ScalarInt64() != 1)
            {
                return 0;
            }

            int Body(SqliteTransaction tx, WriteEffects effects)
            {
                var folded = FoldPending(tx, effects, maxEntries);
                Fault("fold.before-commit");
                return folded;
            }

            if (!onlyIfLockFree)
            {
                return InWriteTransaction(Body);
            }

            return TryWriteTransaction(Body, out var n) ? n : -1;
        }
    }

    /// <summary>
    /// Folds what is pending in one slice if the write lock is free (never waiting for it); true when nothing is left,
    /// so the Merkle tree covers everything the feed serves. False while the app holds the lock or more than a slice is
    /// pending: a backlog that large means the app is writing heavily, and the fold loop folds it once the app pauses,
    /// so a caller that only wants a current tree takes at most one slice's lock time from the app.
    /// </summary>
    public bool TryFoldAll()
    {
        var n = Fold(FoldSlice, onlyIfLockFree: true);
        return n >= 0 && !HasPendingCaptures();
    }

    /// <summary>
    /// Whether the capture log holds entries not folded yet. <see cref="Fold"/> can return 0 while some remain: a chunk
    /// may consist only of replace-guard checks whose rows are still there (an app re-importing rows with INSERT OR
    /// IGNORE writes one per conflict), so a caller folding until the log is empty asks this too.
    /// </summary>
    public bool HasPendingCaptures()
    {
        lock (writeGate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            return Raw(PendingCapturesSql).ScalarInt64() == 1;
        }
    }

    /// <summary>
    /// Moves log entries (oldest first) into row versions, deletes them from the log and raises the clock floor past
    /// them (the triggers read the floor once the log is empty). Each version keeps its entry's seq: the log and the
    /// version table share one sequence of positions (see <see cref="RaiseClockFloor"/>), so a change the feed served
    /// from the log before the fold stays at the position readers' cursors already passed. A local write is physically
    /// in the table, so it must win locally: if an existing version is not older (only possible with clock anomalies),
    /// the folded version's HLC is bumped past it (a reader that got the entry from the log then differs until
    /// anti-entropy, which carries the bumped version).
    /// </summary>
    public int FoldPending(SqliteTransaction tx, WriteEffects effects, int maxEntries)
    {
        var total = 0;
        var folded = 0;
        var captures = 0;
        var columns = string.Join(", ", Enumerable.Range(1, logKeyColumns).Select(i => "k" + i.ToString(CultureInfo.InvariantCulture)));
        var select = Raw($"SELECT seq, tbl, hlc, deleted, {columns} FROM __repl_log ORDER BY seq LIMIT ?");
        var entries = new List<(long Seq, long Table, long Hlc, long Kind, object?[] Key)>();
        while (total < maxEntries)
        {
            entries.Clear();
            select.Bind(1, Math.Min(FoldChunk, maxEntries - total));
            try
            {
                while (select.Step())
                {
                    var key = new object?[logKeyColumns];
                    for (var i = 0; i < logKeyColumns; i++)
                    {
                        key[i] = select.Value(4 + i);
                    }

                    entries.Add((select.Int64(0), select.Int64(1), select.Int64(2), select.Int64(3), key));
                }
            }
            finally
            {
                select.Reset();
            }

            if (entries.Count == 0)
            {
                break;
            }

            // Log HLCs never decrease in seq order, so the last entry read (maybe a clock entry) carries the floor
            // that must survive the delete below.
            var maxHlc = entries[^1].Hlc;
            foreach (var entry in entries)
            {
                if (!tables.ById.TryGetValue(entry.Table, out var table) || table.PrimaryKeyColumns.Count == 0)
                {
                    effects.Reach(entry.Seq);
                    continue; // a clock entry, or a table unknown to the registry (it cannot have triggers): nothing to fold
                }

                effects.PlaceNextAt(entry.Seq);
                captures++;

                var keyValues = new ArraySegment<object?>(entry.Key, 0, table.PrimaryKeyColumns.Count);
                var key = KeyCodec.Encode(keyValues);
                var (bucket, kid) = Locate(table.NameBytes, key);
                if (entry.Kind == CaptureTriggers.CheckEntry)
                {
                    // A replace guard saw this row conflict with a new one: a delete only if the row is really gone.
                    if (!RowExists(table, keyValues) && FoldRemoval(effects, table, bucket, kid, key, entry.Hlc) is { } removedAt)
                    {
                        folded++;
                        maxHlc = Math.Max(maxHlc, removedAt);
                    }

                    effects.Reach(entry.Seq);
                    continue;
                }

                folded++;
                var deleted = entry.Kind != 0;
                if (TryInsertFirstVersion(effects, table, bucket, kid, key, new RowVersion(entry.Hlc, Site, deleted), null))
                {
                    maxHlc = Math.Max(maxHlc, entry.Hlc);
                    continue;
                }

                var existing = LookupVersion(effects, table.Id, kid, key, out var slot);
                var hlc = existing is { } e && e.Version.Hlc >= entry.Hlc ? e.Version.Hlc + 1 : entry.Hlc;
                WriteVersion(effects, table, bucket, slot, key, existing, new RowVersion(hlc, Site, deleted), VersionIndex.BaseOver(existing, Site));
                maxHlc = Math.Max(maxHlc, hlc);
            }

            var delete = Prepared(tx, "DELETE FROM __repl_log WHERE seq <= @p0", 1);
            delete.Parameters[0].Value = entries[^1].Seq;
            delete.ExecuteNonQuery();
            RaiseClockFloor(tx, effects, maxHlc);
            total += entries.Count;
            if (entries.Count < FoldChunk)
            {
                break;
            }
        }

        effects.Captured += folded;
        if (captures > 0)
        {
            Interlocked.Add(ref consumed, captures);
        }

        return folded;
    }

    /// <summary>
    /// Captures folds took off the log (the checks that folded to nothing too; not clock entries), counted when read:
    /// a feed reader that stopped at an entry only a fold resolves may go on once this moved.
    /// </summary>
    public long Consumed => Interlocked.Read(ref consumed);

    /// <summary>
    /// Records that a row with a live version left the table without a delete trigger firing (an INSERT/UPDATE OR
    /// REPLACE removed it through a unique index): a local tombstone at the guard's HLC, or just past the live version.
    /// Returns the tombstone's HLC, or null when there is no live version to end.
    /// </summary>
    private long? FoldRemoval(WriteEffects effects, ReplicaTable table, long bucket, long kid, byte[] key, long hlc)
    {
        var existing = LookupVersion(effects, table.Id, kid, key, out var slot);
        if (existing is not { Version.Deleted: false } live)
        {
            return null;
        }

        var at = Math.Max(hlc, live.Version.Hlc + 1);
        WriteVersion(effects, table, bucket, slot, key, existing, new RowVersion(at, Site, true), VersionIndex.BaseOver(existing, Site));
        return at;
    }

    /// <summary>Whether the app's table holds a row with this key now (inside the fold's transaction).</summary>
    private bool RowExists(ReplicaTable table, IReadOnlyList<object?> key)
    {
        var exists = Raw(table.ExistsRowSql);
        try
        {
            exists.BindValues(key);
            return exists.Step();
        }
        finally
        {
            exists.Reset();
        }
    }

    /// <summary>
    /// Raises the clock floor to <paramref name="hlc"/> and keeps the log's tail at or past every seq handed out. The
    /// floor goes into the state row (read at open) and, for the triggers, into a clock entry appended to the log when
    /// <paramref name="hlc"/> is above its last entry (always when it is empty), so the trigger's "last log entry + 1"
    /// is above every version folded, applied or received. The same clock entry keeps positions shared: SQLite gives
    /// a new log row the seq after the log's largest, so a tail at the last seq of any version (folded, applied or
    /// repaired) makes every capture the app commits later take a seq above all of them — the order the change feed
    /// serves log and versions in.
    /// </summary>
    public void RaiseClockFloor(SqliteTransaction tx, WriteEffects effects, long hlc)
    {
        effects.Observe(hlc);
        var update = Prepared(tx, "UPDATE __repl_state SET clock_floor = max(clock_floor, @p0) WHERE id = 0", 1);
        update.Parameters[0].Value = hlc;
        update.ExecuteNonQuery();
        var clockEntry = Prepared(tx, """
            INSERT INTO __repl_log(seq, tbl, hlc, deleted)
            SELECT max(@p1, coalesce(tail.seq, 0) + 1), 0, max(@p0, coalesce(tail.hlc, -1)), 0
            FROM (SELECT 1) LEFT JOIN (SELECT seq, hlc FROM __repl_log ORDER BY seq DESC LIMIT 1) AS tail
            WHERE @p0 > coalesce(tail.hlc, -1) OR @p1 > coalesce(tail.seq, 0)
            """, 2);
        clockEntry.Parameters[0].Value = hlc;
        clockEntry.Parameters[1].Value = effects.LastSeq;
        clockEntry.ExecuteNonQuery();
    }

    // The shared state and version operations under the names the fold code above uses, so its method bodies read as
    // they did when they were part of ReplicaStore.
    private Lock writeGate => context.WriteGate;

    private bool disposed => context.Disposed;

    private TableSet tables => context.Tables;

    private int logKeyColumns => context.LogKeyColumns;

    private SiteId Site => context.Site;

    private RawStatement Raw(string sql) => context.Raw(sql);

    private SqliteCommand Prepared(SqliteTransaction tx, string sql, int parameterCount) => context.Prepared(tx, sql, parameterCount);

    private T InWriteTransaction<T>(Func<SqliteTransaction, WriteEffects, T> body) => context.InWriteTransaction(body);

    private bool TryWriteTransaction<T>(Func<SqliteTransaction, WriteEffects, T> body, out T result) => context.TryWriteTransaction(body, out result);

    private void Fault(string point) => context.Fault(point);

    private (long Bucket, long Kid) Locate(ReadOnlySpan<byte> tableName, ReadOnlySpan<byte> key) => versions.Locate(tableName, key);

    private StoredVersion? LookupVersion(WriteEffects effects, long tableId, long kid, ReadOnlySpan<byte> key,
        out long slot) => versions.LookupVersion(effects, tableId, kid, key, out slot);

    private bool TryInsertFirstVersion(WriteEffects effects, ReplicaTable table, long bucket, long kid, byte[] key, RowVersion next,
        RowVersion? basedOn) => versions.TryInsertFirstVersion(effects, table, bucket, kid, key, next, basedOn);

    private void WriteVersion(WriteEffects effects, ReplicaTable table, long bucket, long kid, byte[] key,
        StoredVersion? previous, RowVersion next, RowVersion? basedOn) => versions.WriteVersion(effects, table, bucket, kid, key, previous, next, basedOn);
}
