using System.Globalization;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// Applies remote changes: last writer wins on (hlc, site), unique-index conflicts settled the same way on every
/// member, the cursor stored in the same transaction as the rows.
/// </summary>
internal sealed class ChangeApplier(ReplicaContext context, VersionIndex versions, CaptureFold fold, ConflictLog conflicts)
{
    private long triggerModeSchemaVersion = -1;

    private const int MaxRejectionMessages = 20;
    private const int SqliteConstraintUnique = 2067; // SQLITE_CONSTRAINT_UNIQUE: a unique index (the key's conflict is the upsert's)

    /// <summary>
    /// Whether the last applied batch ran with triggers on (some replicated table has a trigger of the app's own);
    /// see SyncTriggerMode.
    /// </summary>
    public bool AppTriggersFire { get; private set; }

    /// <summary>
    /// Applies remote changes in ONE transaction with last-writer-wins on (hlc, site). Pending local
    /// captures are folded first in the same transaction, so conflict resolution sees the latest local version. The
    /// cursor is stored in the same transaction, so a crash never loses or double-applies a batch; re-applying a
    /// batch changes nothing (duplicates compare equal). Malformed input throws <see cref="ChangeRejectedException"/>
    /// before anything is written. Versions too far in the future are rejected one by one (counted); changes for a
    /// table whose schema differs from the sender's, or that the sender replicates and this member does not, are held
    /// back. Without <paramref name="heldKeyPrefix"/> the cursor is then NOT stored (the batch is read again). With it,
    /// the other tables keep their progress: the cursor is stored, and for each held-back table the position to read
    /// its changes again from (just below its first held change) is kept under <c>heldKeyPrefix + table</c> in the
    /// same transaction (the lowest one wins); once schemas agree the reader rewinds to it
    /// (<see cref="CursorTable.TakeHeld"/>), and re-applying what the other tables already have changes nothing.
    /// A tombstone at or below the collection horizon for a key with no version here is skipped (collected here, coming
    /// back). A live row for a key with no version here is skipped, on a feed as in a repair, when it is at or below
    /// <see cref="ReplicaContext.UncertainUpTo"/>: this member collected a delete that some member may never have applied
    /// (collected by age while that member was away, or before it was counted), so the row may be one that delete
    /// removed, served by a member that still holds it (not resynchronised yet). Otherwise every delete collected here was
    /// applied by every member, none of them can hold a row such a delete removed, and the row is applied whatever its
    /// age (a new member's first sync, a row that only anti-entropy delivers). A genuine row skipped that way arrives by
    /// anti-entropy once a mesh horizon passes the mark again.
    /// </summary>
    public ApplyResult ApplyBatch(IReadOnlyList<Change> changes, string cursorKey, string cursorValue,
        IReadOnlyDictionary<string, string>? senderSchemaHashes = null, string? heldKeyPrefix = null)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (string.IsNullOrEmpty(cursorKey))
        {
            throw new ChangeRejectedException("cursorKey", "required");
        }

        ArgumentNullException.ThrowIfNull(cursorValue);
        if (changes.Count > context.Options.MaxBatchSize)
        {
            throw new ChangeRejectedException("changes",
                $"batch of {changes.Count} changes exceeds the limit of {context.Options.MaxBatchSize}; send smaller batches");
        }

        var snapshot = context.Tables;
        var validated = new ReplicaTable?[changes.Count];
        var keys = new IReadOnlyList<object?>[changes.Count];
        for (var i = 0; i < changes.Count; i++)
        {
            // A table whose schema differs from the sender's, or that the sender replicates and this member does not
            // (yet: the app here has not migrated), is held back before its values are checked against the local
            // columns; a table nobody declared is bad input.
            validated[i] = changes[i] is { Table: { } name } && senderSchemaHashes is not null && senderSchemaHashes.TryGetValue(name, out var senderHash)
                && (!snapshot.ByName.TryGetValue(name, out var local) || !string.Equals(local.SchemaHash, senderHash, StringComparison.Ordinal))
                ? null
                : ChangeValidation.Validate(snapshot, changes[i], i, out keys[i]);
        }

        var nowMs = context.Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var newestAllowed = HybridClock.FromMilliseconds(nowMs + (long)context.Options.MaxClockSkew.TotalMilliseconds) | 0xFFFF;

        return context.InWriteTransaction((tx, effects) =>
        {
            fold.FoldPending(tx, effects, int.MaxValue);
            SyncTriggerMode();
            context.Raw("UPDATE __repl_state SET applying = 1 WHERE id = 0").Execute();
            var stats = new Dictionary<string, int[]>(StringComparer.Ordinal);
            var heldFrom = new Dictionary<string, long>(StringComparer.Ordinal);
            var rejections = new List<string>();
            var maxApplied = 0L;
            for (var i = 0; i < changes.Count; i++)
            {
                var change = changes[i];
                var table = validated[i];
                if (!stats.TryGetValue(change.Table!, out var counts))
                {
                    stats[change.Table!] = counts = new int[6];
                }

                if (table is null)
                {
                    AddRejection(rejections, snapshot.ByName.TryGetValue(change.Table!, out var differing)
                        ? $"changes[{i}].table: schema of '{change.Table}' differs from the sender's ({senderSchemaHashes![change.Table!]} vs local {differing.SchemaHash})"
                        : $"changes[{i}].table: '{change.Table}' is replicated by the sender but not here (create it, or replicate the same tables on every member)");
                    counts[(int)ApplyOutcome.RejectedSchema]++;
                    Held(heldFrom, change);
                    continue;
                }

                var outcome = ApplyOne(tx, effects, table, change, keys[i], i, newestAllowed, senderSchemaHashes, rejections);
                counts[(int)outcome]++;
                if (outcome == ApplyOutcome.RejectedSchema)
                {
                    Held(heldFrom, change);
                }

                if (outcome == ApplyOutcome.Applied)
                {
                    maxApplied = Math.Max(maxApplied, change.Version.Hlc);
                }
            }

            // Receive rule: local writes after this batch get HLCs above everything applied. The applying flag is
            // cleared before commit, so no other connection ever sees it set.
            context.Raw("UPDATE __repl_state SET applying = 0 WHERE id = 0").Execute();
            fold.RaiseClockFloor(tx, effects, maxApplied);

            var held = stats.Values.Sum(c => c[(int)ApplyOutcome.RejectedSchema]);
            var storeCursor = held == 0 || heldKeyPrefix is not null;
            if (storeCursor)
            {
                CursorTable.Upsert(context, tx, cursorKey, cursorValue);
            }

            if (heldKeyPrefix is not null && heldFrom.Count > 0)
            {
                // Cursor values are decimal seqs: the lower resume point is kept (compared as numbers).
                var mark = context.Prepared(tx, "INSERT INTO __repl_cursors(key, value) VALUES (@p0, @p1) ON CONFLICT (key) DO UPDATE SET value = excluded.value " +
                    "WHERE CAST(excluded.value AS INTEGER) < CAST(__repl_cursors.value AS INTEGER)", 2);
                foreach (var (tableName, from) in heldFrom)
                {
                    mark.Parameters[0].Value = heldKeyPrefix + tableName;
                    mark.Parameters[1].Value = from.ToString(CultureInfo.InvariantCulture);
                    mark.ExecuteNonQuery();
                }
            }

            context.Fault("apply.before-commit");
            return BuildResult(stats, rejections, cursorStored: storeCursor) with { ConflictsRecorded = [.. effects.ConflictsRecorded] };
        });
    }

    /// <summary>
    /// Decides, inside the write transaction (so the schema cannot change under it), whether applied rows need trigger
    /// programs at all. The app's own triggers on replicated tables must fire for applied rows as for its own writes
    /// (derived data such as an FTS index stays right); our capture triggers would only evaluate their WHEN check and
    /// skip. When no replicated table has an app trigger, triggers are switched off on the store's write connection
    /// (SQLITE_DBCONFIG_ENABLE_TRIGGER; the app's connections are unaffected): each applied row then skips a trigger
    /// sub-program and the statement journal it forces, which was about a third of apply's cost (bench/ storage).
    /// Re-checked whenever the schema cookie moved, so a trigger the app creates is honoured from the next batch on.
    /// </summary>
    private void SyncTriggerMode()
    {
        var schemaVersion = context.SchemaVersion();
        if (schemaVersion == triggerModeSchemaVersion)
        {
            return;
        }

        var triggerTables = new HashSet<string>(StringComparer.OrdinalIgnoreCase); // SQLite folds ASCII case in names
        var query = context.Raw("SELECT tbl_name FROM sqlite_schema WHERE type = 'trigger' AND name NOT LIKE '\\_\\_repl\\_%' ESCAPE '\\'");
        try
        {
            while (query.Step())
            {
                triggerTables.Add(query.Text(0));
            }
        }
        finally
        {
            query.Reset();
        }

        var enable = context.Tables.ById.Values.Any(t => triggerTables.Contains(t.Name));
        var rc = SQLitePCL.raw.sqlite3_db_config(context.WriteConnection.Handle!, SQLitePCL.raw.SQLITE_DBCONFIG_ENABLE_TRIGGER, enable ? 1 : 0, out _);
        if (rc != SQLitePCL.raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, context.WriteConnection.Handle);
        }

        triggerModeSchemaVersion = schemaVersion;
        AppTriggersFire = enable;
    }

    private ApplyOutcome ApplyOne(SqliteTransaction tx, WriteEffects effects, ReplicaTable table, Change change,
        IReadOnlyList<object?> key, int index,
        long newestAllowed, IReadOnlyDictionary<string, string>? senderSchemaHashes, List<string> rejections)
    {
        if (change.Version.Hlc > newestAllowed)
        {
            AddRejection(rejections, string.Create(CultureInfo.InvariantCulture,
                $"changes[{index}].version.hlc: {change.Version.Hlc} is more than {context.Options.MaxClockSkew} ahead of local time (site {change.Version.Site})"));
            return ApplyOutcome.RejectedFuture;
        }

        if (senderSchemaHashes is not null && senderSchemaHashes.TryGetValue(table.Name, out var senderHash)
            && !string.Equals(senderHash, table.SchemaHash, StringComparison.Ordinal))
        {
            AddRejection(rejections, $"changes[{index}].table: schema of '{table.Name}' differs from the sender's ({senderHash} vs local {table.SchemaHash})");
            return ApplyOutcome.RejectedSchema;
        }

        var (bucket, kid) = versions.Locate(table.NameBytes, change.Key);
        if (change.Version.Hlc <= (change.Version.Deleted ? context.CollectionHorizon : context.UncertainUpTo)
            && versions.LookupVersion(effects, table.Id, kid, change.Key, out _) is null)
        {
            // Collected here, coming back (see ApplyBatch): a tombstone has no row to delete, and a row that old that
            // this member lacks may have been deleted by a delete some member never applied.
            return ApplyOutcome.SkippedOlder;
        }

        if (versions.TryInsertFirstVersion(effects, table, bucket, kid, change.Key, change.Version, change.Base))
        {
            // The row had no version, so the change wins. (A new member's initial sync is all first versions: for
            // them this one statement replaces the lookup, and the key id index is probed once instead of twice.)
            if (WriteRow(effects, table, change, key, index) is { } keptBy)
            {
                // Lost a unique value to a row held here: a tombstone at the winner's version, with no base, so a
                // member still holding this write records it when the tombstone reaches it.
                var inserted = versions.LookupVersion(effects, table.Id, kid, change.Key, out var insertedSlot);
                versions.WriteVersion(effects, table, bucket, insertedSlot, change.Key, inserted, keptBy with { Deleted = true }, null);
                return ApplyOutcome.ConflictsLost;
            }

            return ApplyOutcome.Applied;
        }

        var existing = versions.LookupVersion(effects, table.Id, kid, change.Key, out var slot);
        if (existing is { } stored)
        {
            var local = stored.Version;
            var order = change.Version.CompareTo(local);
            if (order == 0)
            {
                return ApplyOutcome.SkippedDuplicate;
            }

            if (order < 0)
            {
                // Older than what is here: stale when the local version was written over it (its own site's later
                // write, or a write based on it); otherwise a concurrent write that lost. Its writer, which holds it,
                // records it when this member's version reaches it.
                return local.Site == change.Version.Site || SameWrite(stored.Base, change.Version)
                    ? ApplyOutcome.SkippedOlder
                    : ApplyOutcome.ConflictsLost;
            }

            if (IsLostWrite(stored, change))
            {
                RecordLoser(effects, table, change.Key, key, local,
                    change.Version.Deleted ? ConflictReasons.Deleted : ConflictReasons.Lww, change.Version, change.Values);
            }
        }

        var lostTo = WriteRow(effects, table, change, key, index);
        if (lostTo is { } winner)
        {
            versions.WriteVersion(effects, table, bucket, slot, change.Key, existing, winner with { Deleted = true }, null);
            return ApplyOutcome.ConflictsLost;
        }

        versions.WriteVersion(effects, table, bucket, slot, change.Key, existing, change.Version, change.Base);
        return ApplyOutcome.Applied;
    }

    /// <summary>
    /// Whether a winning change discards the local version without having seen it: the local version is another site's
    /// than the change's writer (a site's own later write always saw its earlier one) and is not the change's base. Two
    /// deletes lose nothing. A change without a base (a new row there, or a sender of an earlier version) over another
    /// site's version counts as concurrent, so an overwrite is recorded rather than lost.
    /// </summary>
    private static bool IsLostWrite(StoredVersion stored, Change change) =>
        !(stored.Version.Deleted && change.Version.Deleted)
        && stored.Version.Site != change.Version.Site
        && !SameWrite(change.Base, stored.Version);

    /// <summary>Same (hlc, site): the same write.</summary>
    private static bool SameWrite(RowVersion? a, RowVersion b) => a is { } v && v.CompareTo(b) == 0;

    /// <summary>
    /// Keeps a local version about to be discarded in the conflict log, with its row image (none for a tombstone) —
    /// unless the winner writes the very same row (members that adopted the same pre-existing rows, or wrote the same
    /// values): nothing is lost then.
    /// </summary>
    private void RecordLoser(WriteEffects effects, ReplicaTable table, byte[] encodedKey, IReadOnlyList<object?> key,
        RowVersion loser, string reason, RowVersion winner, IReadOnlyList<object?>? winnerValues)
    {
        var values = loser.Deleted ? null : ReadLocalRow(table, key);
        if (values is not null && winnerValues is not null && SameValues(values, winnerValues))
        {
            return;
        }

        conflicts.Record(effects, table, encodedKey, reason, loser, values, winner);
    }

    /// <summary>Equal rows: the same storage class and value in every column (blobs by content).</summary>
    private static bool SameValues(object?[] a, IReadOnlyList<object?> b)
    {
        if (a.Length != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            var same = (a[i], b[i]) switch
            {
                (null, null) => true,
                (byte[] x, byte[] y) => x.AsSpan().SequenceEqual(y),
                (long x, long y) => x == y,
                (double x, double y) => x.Equals(y),
                (string x, string y) => string.Equals(x, y, StringComparison.Ordinal),
                _ => false,
            };
            if (!same)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The local row's values inside the write transaction, or null when the row is not there.</summary>
    private object?[]? ReadLocalRow(ReplicaTable table, IReadOnlyList<object?> key) => RowReader.Read(context.Raw(table.SelectRowSql), table, key);

    /// <summary>
    /// Writes the winning change into the app's table: an upsert of every column, or a delete. Returns null when
    /// written, or — when the row would take a unique-index value that a row with a greater version holds — that
    /// version: the change lost the value, and its key's row was removed (see <see cref="ResolveUniqueConflict"/>).
    /// </summary>
    private RowVersion? WriteRow(WriteEffects effects, ReplicaTable table, Change change, IReadOnlyList<object?> key, int index)
    {
        try
        {
            if (change.Version.Deleted)
            {
                DeleteRow(table, key);
            }
            else
            {
                UpsertRow(table, change.Values!);
            }

            return null;
        }
        catch (SqliteException ex) when (ex.SqliteExtendedErrorCode == SqliteConstraintUnique && !change.Version.Deleted)
        {
            return ResolveUniqueConflict(effects, table, change, key, index, ex);
        }
        catch (SqliteException ex) when ((ex.SqliteErrorCode & 0xFF) is 19 or 20) // CONSTRAINT, MISMATCH: the row does not fit our schema
        {
            throw Refused(table, index, ex);
        }
    }

    /// <summary>
    /// Two members wrote different rows with the same value of a unique index (a primary key is unique per member
    /// only for the rows it holds, and so is any other unique index). Every member settles it the same way, whichever
    /// row it saw first: the row with the greater version keeps the value, and every other row holding it is deleted
    /// with a tombstone at the winner's version — greater than the loser's, so the deletion wins wherever the loser's
    /// version is known, and members that settle the conflict independently record identical versions. Returns the
    /// winning local version when the incoming row lost (its key's local row is deleted), null when it won and was
    /// written. Unique indexes on expressions cannot be searched: such a conflict is still refused.
    /// </summary>
    private RowVersion? ResolveUniqueConflict(WriteEffects effects, ReplicaTable table, Change change, IReadOnlyList<object?> key,
        int index, SqliteException cause)
    {
        var rivals = new List<(object?[] Key, byte[] Encoded, long Bucket, long Slot, StoredVersion? Existing)>();
        foreach (var unique in table.UniqueIndexes.Where(u => !u.OnExpression))
        {
            foreach (var rivalKey in RowsHoldingUniqueValues(table, unique, change.Values!, key))
            {
                var encoded = KeyCodec.Encode(rivalKey);
                if (rivals.Exists(r => r.Encoded.AsSpan().SequenceEqual(encoded)))
                {
                    continue; // the same row holds the values of two unique indexes
                }

                var (bucket, kid) = versions.Locate(table.NameBytes, encoded);
                var existing = versions.LookupVersion(effects, table.Id, kid, encoded, out var slot);
                rivals.Add((rivalKey, encoded, bucket, slot, existing));
            }
        }

        if (rivals.Count == 0)
        {
            throw Refused(table, index, cause);
        }

        RowVersion? strongest = null;
        foreach (var rival in rivals)
        {
            if (rival.Existing is { Version: { Deleted: false } version } && version > change.Version
                && (strongest is null || version > strongest.Value))
            {
                strongest = version;
            }
        }

        if (strongest is not null)
        {
            DeleteRow(table, key);
            return strongest;
        }

        var tombstone = change.Version with { Deleted = true };
        foreach (var rival in rivals)
        {
            if (rival.Existing is { Version: { Deleted: false } lost })
            {
                RecordLoser(effects, table, rival.Encoded, rival.Key, lost, ConflictReasons.Unique, change.Version, null);
            }

            DeleteRow(table, rival.Key);
            versions.WriteVersion(effects, table, rival.Bucket, rival.Slot, rival.Encoded, rival.Existing, tombstone, null);
        }

        try
        {
            UpsertRow(table, change.Values!);
        }
        catch (SqliteException ex) when ((ex.SqliteErrorCode & 0xFF) is 19 or 20)
        {
            throw Refused(table, index, ex);
        }

        return null;
    }

    /// <summary>Keys of the local rows (other than <paramref name="key"/>'s) holding the row's values of a unique index.</summary>
    private List<object?[]> RowsHoldingUniqueValues(ReplicaTable table, UniqueIndex unique, IReadOnlyList<object?> values,
        IReadOnlyList<object?> key)
    {
        var positions = unique.Columns
            .Select(c => table.Columns.Select((name, i) => (name, i)).First(n => string.Equals(n.name, c.Column, StringComparison.OrdinalIgnoreCase)).i)
            .ToArray();
        if (positions.Any(p => values[p] is null))
        {
            return []; // NULLs never conflict
        }

        var keyColumns = table.PrimaryKeyColumns.Select(c => SqlIdentifier.Quote(table.Columns[c])).ToArray();
        var match = string.Join(" AND ", unique.Columns.Select((c, i) =>
            $"{SqlIdentifier.Quote(c.Column)} = ?{i + 1} COLLATE {SqlIdentifier.Quote(c.Collation)}"));
        var notSelf = string.Join(" AND ", keyColumns.Select((k, i) => $"{k} IS ?{positions.Length + i + 1}"));
        var query = context.Raw($"SELECT {string.Join(", ", keyColumns)} FROM {table.QuotedName} WHERE {match} AND NOT ({notSelf})");
        var rows = new List<object?[]>();
        try
        {
            query.BindValues([.. positions.Select(p => values[p])]);
            query.BindValues(key, positions.Length + 1);

            while (query.Step())
            {
                rows.Add(Enumerable.Range(0, keyColumns.Length).Select(query.Value).ToArray());
            }
        }
        finally
        {
            query.Reset();
        }

        return rows;
    }

    private void DeleteRow(ReplicaTable table, IReadOnlyList<object?> key)
    {
        var delete = context.RowStatements(table).Delete;
        delete.BindValues(key);
        delete.Execute();
    }

    private void UpsertRow(ReplicaTable table, IReadOnlyList<object?> values)
    {
        var upsert = context.RowStatements(table).Upsert;
        upsert.BindValues(values);
        upsert.Execute();
    }

    private static ChangeRejectedException Refused(ReplicaTable table, int index, SqliteException cause) =>
        new(string.Create(CultureInfo.InvariantCulture, $"changes[{index}].values"), $"table '{table.Name}' refused the row: {cause.Message}", cause);

    /// <summary>Notes a held-back change: its table is read again from just below the first of them.</summary>
    private static void Held(Dictionary<string, long> heldFrom, Change change)
    {
        var from = Math.Max(0, change.Seq - 1);
        heldFrom[change.Table!] = heldFrom.TryGetValue(change.Table!, out var earlier) ? Math.Min(earlier, from) : from;
    }

    private static void AddRejection(List<string> rejections, string message)
    {
        if (rejections.Count < MaxRejectionMessages)
        {
            rejections.Add(message);
        }
    }

    private static ApplyResult BuildResult(Dictionary<string, int[]> stats, List<string> rejections, bool cursorStored)
    {
        var perTable = stats.ToDictionary(p => p.Key,
            p => new TableApplyStats(p.Value[0], p.Value[1], p.Value[2], p.Value[3], p.Value[4], p.Value[5]), StringComparer.Ordinal);
        int Sum(ApplyOutcome o) => stats.Values.Sum(c => c[(int)o]);
        return new ApplyResult(Sum(ApplyOutcome.Applied), Sum(ApplyOutcome.SkippedOlder), Sum(ApplyOutcome.SkippedDuplicate),
            Sum(ApplyOutcome.ConflictsLost), Sum(ApplyOutcome.RejectedFuture), Sum(ApplyOutcome.RejectedSchema), perTable)
        {
            CursorStored = cursorStored,
            Rejections = rejections,
        };
    }
}
