using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// Conversions of databases written by earlier builds to the current bookkeeping layout, run at open inside the open
/// transaction.
/// </summary>
internal sealed class FormatMigrations(ReplicaContext context, VersionIndex versions)
{
    /// <summary>
    /// Databases written by builds before the current layout (format 1: versions WITHOUT ROWID keyed by (bucket, tbl,
    /// kid, pk) with a seq index and the site as a blob) are converted at open, in the open transaction. Step one moves
    /// the old table aside so the current DDL can run; returns whether there was one.
    /// </summary>
    public bool MigrateFormat1Begin(SqliteTransaction tx)
    {
        if (context.Scalar(tx, "SELECT count(*) FROM pragma_table_info('__repl_versions') WHERE name = 'bucket'") is not 1L)
        {
            return false;
        }

        context.Execute(tx, "DROP INDEX IF EXISTS __repl_versions_seq");
        // legacy_alter_table: rename only this table, without re-checking the app's views and triggers.
        context.Execute(tx, "PRAGMA legacy_alter_table = ON");
        context.Execute(tx, "ALTER TABLE __repl_versions RENAME TO __repl_versions_format1");
        context.Execute(tx, "PRAGMA legacy_alter_table = OFF");
        return true;
    }

    /// <summary>Step two: copies every version (same seq, key, version) into the current layout and drops the old table.</summary>
    public void MigrateFormat1Copy(SqliteTransaction tx, WriteEffects effects)
    {
        using (var command = context.WriteConnection.CreateCommand())
        {
            command.Transaction = tx;
            command.CommandText = "SELECT o.tbl, t.name, o.pk, o.hlc, o.site, o.deleted, o.seq FROM __repl_versions_format1 o JOIN __repl_tables t ON t.id = o.tbl";
            using var reader = command.ExecuteReader();
            var insert = context.Raw(VersionIndex.InsertVersionSql);
            while (reader.Read())
            {
                var key = (byte[])reader.GetValue(2);
                var (_, kid) = versions.Locate(System.Text.Encoding.UTF8.GetBytes(reader.GetString(1)), key);
                _ = versions.LookupVersion(effects, reader.GetInt64(0), kid, key, out var slot);
                VersionIndex.BindVersion(insert, reader.GetInt64(6), slot, reader.GetInt64(0), key,
                    new RowVersion(reader.GetInt64(3), SiteId.FromBytes((byte[])reader.GetValue(4)), reader.GetInt64(5) != 0),
                    versions.SiteNumber(effects, SiteId.FromBytes((byte[])reader.GetValue(4))));
                insert.BindValue(8, null);
                insert.BindValue(9, null);
                insert.Execute();
            }
        }

        context.Execute(tx, "DROP TABLE __repl_versions_format1");
    }

    /// <summary>
    /// Databases of format 2 (the current table with a non-unique key-id index, where colliding keys shared a key id)
    /// get the unique index at open: every entry after the first of a shared key id moves to the next free key id of
    /// its bucket. Runs after the DDL (whose CREATE UNIQUE INDEX IF NOT EXISTS skips the existing index).
    /// </summary>
    public void MigrateToUniqueKeyIds(SqliteTransaction tx)
    {
        if (context.Scalar(tx, "SELECT \"unique\" FROM pragma_index_list('__repl_versions') WHERE name = '__repl_versions_kid'") is 1L)
        {
            return;
        }

        var shared = new List<(long Seq, long Kid)>();
        using (var command = context.WriteConnection.CreateCommand())
        {
            command.Transaction = tx;
            command.CommandText = """
                SELECT seq, kid FROM __repl_versions
                WHERE kid IN (SELECT kid FROM __repl_versions GROUP BY kid HAVING count(*) > 1) ORDER BY kid, seq
                """;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                shared.Add((reader.GetInt64(0), reader.GetInt64(1)));
            }
        }

        for (var i = 1; i < shared.Count; i++)
        {
            if (shared[i].Kid != shared[i - 1].Kid)
            {
                continue; // the first entry of each shared key id keeps it
            }

            var slot = RowDigest.NextInBucket(shared[i].Kid);
            while (versions.KeyIdTaken(slot))
            {
                slot = RowDigest.NextInBucket(slot);
            }

            context.Execute(tx, "UPDATE __repl_versions SET kid = @kid WHERE seq = @seq", ("@kid", slot), ("@seq", shared[i].Seq));
        }

        context.Execute(tx, "DROP INDEX __repl_versions_kid");
        context.Execute(tx, "CREATE UNIQUE INDEX __repl_versions_kid ON __repl_versions(kid)");
    }


    /// <summary>
    /// Databases written before versions kept their base (format 3) get the two nullable columns at open: existing
    /// versions have no known base, which conflict detection treats like a new row's (see BookkeepingSchema).
    /// </summary>
    public void AddBaseColumns(SqliteTransaction tx)
    {
        if (context.Scalar(tx, "SELECT count(*) FROM pragma_table_info('__repl_versions') WHERE name = 'base_hlc'") is 1L)
        {
            return;
        }

        context.Execute(tx, "ALTER TABLE __repl_versions ADD COLUMN base_hlc INTEGER");
        context.Execute(tx, "ALTER TABLE __repl_versions ADD COLUMN base_site INTEGER");
    }
}
