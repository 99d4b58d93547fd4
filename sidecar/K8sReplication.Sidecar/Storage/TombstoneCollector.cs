using System.Globalization;

namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// Tombstone collection: deletes from the row-version table the tombstones at or below a horizon that every member
/// has applied (the caller computes it from what the members report), so a delete-heavy table's bookkeeping stays
/// bounded. A collected tombstone leaves the Merkle tree too; its key then has no version here, like a key never
/// written. Also computes this member's own part of the horizon (<see cref="OwnHorizon"/>).
/// </summary>
/// <remarks>A tombstone whose key id cannot be freed is kept (see <see cref="VersionIndex.MayRemove"/>).</remarks>
internal sealed class TombstoneCollector(ReplicaContext context, VersionIndex versions)
{
    /// <summary>Tombstones deleted per write transaction (a few milliseconds of the write lock).</summary>
    public const int Batch = 1000;

    private readonly Lock marksGate = new();
    private (long Own, long All)? marks;

    /// <summary>Cursor-table key of the highest seq of an own tombstone collected here.</summary>
    public const string CollectedOwnKey = "collected:own";

    /// <summary>Cursor-table key of the highest seq of any tombstone collected here.</summary>
    public const string CollectedAllKey = "collected:all";

    /// <summary>Cursor-table key of the certified horizon (<see cref="ReplicaContext.CertifiedHorizon"/>).</summary>
    public const string CertifiedKey = "collected:certified";

    /// <summary>Cursor-table key of the uncertain mark (<see cref="ReplicaContext.UncertainMark"/>).</summary>
    public const string UncertainKey = "collected:uncertain";

    /// <summary>
    /// Collects up to <paramref name="max"/> tombstones with an HLC at or below <paramref name="horizon"/>, oldest
    /// first, in write transactions of <see cref="Batch"/>. Returns how many were collected. Each raises the collected
    /// marks (<see cref="CollectedOwnKey"/>, <see cref="CollectedAllKey"/>): every member counted in the horizon has
    /// read past them, so a reader whose cursor is below one was not (away longer than <c>tombstoneTtl</c>, or not a
    /// member then) and may have missed a delete: it must resynchronise (see <see cref="Marks"/>).
    /// <paramref name="certified"/> is the mesh horizon when known (every member has applied every write at or below
    /// it; 0 when unknown): it raises <see cref="ReplicaContext.CertifiedHorizon"/>, and a tombstone collected above the
    /// certified horizon (by age) raises <see cref="ReplicaContext.UncertainMark"/>. Both are kept in the cursor table,
    /// the mark in the same transaction as the tombstones it stands for.
    /// </summary>
    public int Collect(long horizon, long certified = 0, int max = int.MaxValue)
    {
        var total = 0;
        if (certified > context.CertifiedHorizon)
        {
            PersistMark(CertifiedKey, certified);
            context.RaiseCertifiedHorizon(certified);
        }

        while (total < max)
        {
            var n = context.InWriteTransaction((tx, effects) =>
            {
                var select = context.Raw("""
                    SELECT v.seq, v.kid, v.tbl, v.pk, v.hlc, s.site
                    FROM __repl_versions v INDEXED BY __repl_versions_tombstones CROSS JOIN __repl_sites s ON s.id = v.site
                    WHERE v.deleted = 1 AND v.hlc <= ?1 ORDER BY v.hlc LIMIT ?2
                    """);
                var found = new List<(long Seq, long Kid, long Table, byte[] Key, RowVersion Version)>();
                select.Bind(1, horizon);
                select.Bind(2, Math.Min(Batch, max - total));
                try
                {
                    while (select.Step())
                    {
                        found.Add((select.Int64(0), select.Int64(1), select.Int64(2), select.Blob(3).ToArray(),
                            new RowVersion(select.Int64(4), SiteId.FromBytes(select.Blob(5)), true)));
                    }
                }
                finally
                {
                    select.Reset();
                }

                var collected = 0;
                var (markOwn, markAll, uncertain) = (0L, 0L, 0L);
                foreach (var (seq, kid, tableId, key, version) in found)
                {
                    if (!context.Tables.ById.TryGetValue(tableId, out var table) || !versions.MayRemove(kid))
                    {
                        continue;
                    }

                    versions.RemoveVersion(effects, table, seq, kid, key, version);
                    collected++;
                    markAll = Math.Max(markAll, seq);
                    markOwn = version.Site == context.Site ? Math.Max(markOwn, seq) : markOwn;
                    uncertain = version.Hlc > context.CertifiedHorizon ? Math.Max(uncertain, version.Hlc) : uncertain;
                }

                RaiseMark(tx, CollectedAllKey, markAll);
                RaiseMark(tx, CollectedOwnKey, markOwn);
                RaiseMark(tx, UncertainKey, uncertain);
                return (Found: found.Count, Collected: collected, Uncertain: uncertain);
            });
            context.RaiseUncertainMark(n.Uncertain);
            context.RaiseCollectionHorizon(horizon);
            lock (marksGate)
            {
                marks = null; // read again from the table, where the transaction raised them
            }

            total += n.Collected;
            if (n.Found < Batch || n.Collected == 0)
            {
                break;
            }
        }

        return total;
    }

    /// <summary>
    /// A member was counted in the mesh horizon that earlier certified horizons did not count (it joined, or came back
    /// with the volume it had when it left): it may hold rows whose deletes were collected while it was not counted, so
    /// every delete collected so far is uncertain again until a mesh horizon counting it passes them.
    /// </summary>
    public void MemberCounted()
    {
        var certified = context.CertifiedHorizon;
        if (certified > context.UncertainMark)
        {
            PersistMark(UncertainKey, certified);
            context.RaiseUncertainMark(certified);
        }
    }

    /// <summary>
    /// Reads the certified horizon and the uncertain mark at open. Which members the certified horizon counted is not
    /// kept, so until a mesh horizon passes it again it is treated as uncertain (see <see cref="MemberCounted"/>).
    /// </summary>
    public void LoadCertification()
    {
        var (certified, uncertain) = ReadValues(CertifiedKey, UncertainKey);
        context.RaiseCertifiedHorizon(certified);
        context.RaiseUncertainMark(Math.Max(uncertain, certified));
    }

    private void PersistMark(string key, long value) => context.InWriteTransaction((tx, _) =>
    {
        RaiseMark(tx, key, value);
        return value;
    });

    private void RaiseMark(Microsoft.Data.Sqlite.SqliteTransaction tx, string key, long seq)
    {
        if (seq == 0)
        {
            return;
        }

        var mark = context.Prepared(tx, "INSERT INTO __repl_cursors(key, value) VALUES (@p0, @p1) ON CONFLICT (key) DO UPDATE SET value = excluded.value " +
            "WHERE CAST(excluded.value AS INTEGER) > CAST(__repl_cursors.value AS INTEGER)", 2);
        mark.Parameters[0].Value = key;
        mark.Parameters[1].Value = seq.ToString(CultureInfo.InvariantCulture);
        mark.ExecuteNonQuery();
    }

    /// <summary>
    /// The collected marks: the highest seq of an own tombstone, and of any tombstone, collected here (0 when none). A
    /// reader of this member's own changes whose cursor is below the first, or of all changes below the second, may
    /// have missed a delete.
    /// </summary>
    public (long Own, long All) Marks()
    {
        lock (marksGate)
        {
            return marks ??= ReadMarks();
        }
    }

    private (long Own, long All) ReadMarks() => ReadValues(CollectedOwnKey, CollectedAllKey);

    /// <summary>Two numbers kept in the cursor table (0 for one not there).</summary>
    private (long First, long Second) ReadValues(string first, string second)
    {
        using var connection = context.OpenRead();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT key, value FROM __repl_cursors WHERE key IN ($first, $second)";
        command.Parameters.AddWithValue("$first", first);
        command.Parameters.AddWithValue("$second", second);
        using var reader = command.ExecuteReader();
        var values = (First: 0L, Second: 0L);
        while (reader.Read())
        {
            var value = long.Parse(reader.GetString(1), CultureInfo.InvariantCulture);
            values = reader.GetString(0) == first ? (value, values.Second) : (values.First, value);
        }

        return values;
    }

    /// <summary>
    /// The greatest HLC at or below which every write of this member has been applied by readers that applied its
    /// feed through <paramref name="appliedSeq"/>: just below its oldest own write after that seq (a version, or a
    /// capture not folded yet), or its clock when there is none (its next write takes a greater HLC).
    /// </summary>
    public long OwnHorizon(long appliedSeq)
    {
        using var connection = context.OpenRead();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT min(h) FROM (
                SELECT min(hlc) AS h FROM __repl_versions WHERE seq > $after AND site = (SELECT id FROM __repl_sites WHERE site = $site)
                UNION ALL SELECT min(hlc) FROM __repl_log WHERE seq > $after AND tbl <> 0)
            """;
        command.Parameters.AddWithValue("$after", appliedSeq);
        var site = new byte[SiteId.Size];
        context.Site.WriteTo(site);
        command.Parameters.AddWithValue("$site", site);
        return command.ExecuteScalar() is long oldest ? oldest - 1 : context.Clock;
    }

    /// <summary>Tombstones at or below <paramref name="horizon"/> (for status and tests).</summary>
    public long CountCollectable(long horizon)
    {
        using var connection = context.OpenRead();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM __repl_versions WHERE deleted = 1 AND hlc <= $h";
        command.Parameters.AddWithValue("$h", horizon);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
