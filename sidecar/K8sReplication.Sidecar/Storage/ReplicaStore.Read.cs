using System.Globalization;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Storage;

internal sealed partial class ReplicaStore
{
    /// <summary>
    /// The change feed: version entries with seq &gt; <paramref name="afterSeq"/> in seq order, joined with the rows'
    /// CURRENT values, all read in one snapshot (a read transaction on a read-only connection). Entries whose row is
    /// gone although the version is not a tombstone (an app delete not folded yet) are left out: the tombstone will
    /// follow with a higher seq. When the page is not full the whole snapshot was scanned, so LastSeq is MaxSeq
    /// (this matters with an origin filter, where skipped entries must not be rescanned).
    /// </summary>
    public ChangeBatch ReadChanges(long afterSeq, int limit, SiteId? origin = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var snapshot = tables;
        using var connection = OpenRead();
        using var tx = connection.BeginTransaction(deferred: true);
        var maxSeq = connection.ExecuteScalarInt64(tx, "SELECT coalesce(max(seq), 0) FROM __repl_versions");
        var versions = new List<(long Table, byte[] Key, RowVersion Version, long Seq)>();
        using (var command = connection.CreateCommand())
        {
            command.Transaction = tx;
            // CROSS JOIN keeps the version table the outer loop: a rowid range scan in seq order.
            command.CommandText = origin is null
                ? "SELECT v.tbl, v.pk, v.hlc, s.site, v.deleted, v.seq FROM __repl_versions v CROSS JOIN __repl_sites s ON s.id = v.site WHERE v.seq > @after ORDER BY v.seq LIMIT @limit"
                : "SELECT v.tbl, v.pk, v.hlc, s.site, v.deleted, v.seq FROM __repl_versions v CROSS JOIN __repl_sites s ON s.id = v.site WHERE v.seq > @after AND v.site = (SELECT id FROM __repl_sites WHERE site = @site) ORDER BY v.seq LIMIT @limit";
            command.Parameters.AddWithValue("@after", afterSeq);
            command.Parameters.AddWithValue("@limit", (long)limit);
            if (origin is { } site)
            {
                command.Parameters.AddWithValue("@site", site.ToByteArray());
            }

            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                versions.Add((reader.GetInt64(0), (byte[])reader.GetValue(1),
                    new RowVersion(reader.GetInt64(2), SiteId.FromBytes((byte[])reader.GetValue(3)), reader.GetInt64(4) != 0),
                    reader.GetInt64(5)));
            }
        }

        using var rows = new RowReader(connection, tx);
        var changes = new List<Change>(versions.Count);
        foreach (var (tableId, key, version, seq) in versions)
        {
            if (!snapshot.ById.TryGetValue(tableId, out var table))
            {
                continue;
            }

            if (version.Deleted)
            {
                changes.Add(new Change(table.Name, key, version, null, seq));
            }
            else if (rows.Read(table, key) is { } values)
            {
                changes.Add(new Change(table.Name, key, version, values, seq));
            }
        }

        var lastSeq = versions.Count < limit ? Math.Max(afterSeq, maxSeq) : versions[^1].Seq;
        return new ChangeBatch(changes, lastSeq, maxSeq);
    }

    /// <summary>
    /// Current version and values of the given rows (tombstones included, unknown keys left out), in one snapshot:
    /// what a peer pulls during anti-entropy repair.
    /// </summary>
    public IReadOnlyList<Change> ReadRows(string table, IReadOnlyList<byte[]> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (table is null || !tables.ByName.TryGetValue(table, out var replicaTable))
        {
            throw new ChangeRejectedException("table", $"unknown or unreplicated table '{table}'");
        }

        using var connection = OpenRead();
        using var tx = connection.BeginTransaction(deferred: true);
        using var rows = new RowReader(connection, tx);
        using var lookup = connection.CreateCommand();
        lookup.Transaction = tx;
        lookup.CommandText = """
            SELECT v.hlc, s.site, v.deleted, v.seq FROM __repl_versions v CROSS JOIN __repl_sites s ON s.id = v.site
            WHERE v.kid = @k AND v.tbl = @t AND v.pk = @p
            """;
        var kidParameter = lookup.Parameters.Add("@k", SqliteType.Integer);
        lookup.Parameters.AddWithValue("@t", replicaTable.Id);
        var keyParameter = lookup.Parameters.Add("@p", SqliteType.Blob);
        var result = new List<Change>(keys.Count);
        for (var i = 0; i < keys.Count; i++)
        {
            var key = keys[i];
            try
            {
                var decoded = KeyCodec.Decode(key ?? throw new FormatException("key is missing"));
                if (decoded.Count != replicaTable.PrimaryKeyColumns.Count)
                {
                    throw new FormatException($"table '{table}' has {replicaTable.PrimaryKeyColumns.Count} primary-key columns, the key has {decoded.Count} values");
                }
            }
            catch (FormatException ex)
            {
                throw new ChangeRejectedException(string.Create(CultureInfo.InvariantCulture, $"keys[{i}]"), ex.Message, ex);
            }

            kidParameter.Value = ColdPath.RowDigest.Locate(replicaTable.NameBytes, key).Kid;
            keyParameter.Value = key;
            RowVersion version;
            long seq;
            using (var reader = lookup.ExecuteReader())
            {
                if (!reader.Read())
                {
                    continue;
                }

                version = new RowVersion(reader.GetInt64(0), SiteId.FromBytes((byte[])reader.GetValue(1)), reader.GetInt64(2) != 0);
                seq = reader.GetInt64(3);
            }

            if (version.Deleted)
            {
                result.Add(new Change(table, key, version, null, seq));
            }
            else if (rows.Read(replicaTable, key) is { } values)
            {
                result.Add(new Change(table, key, version, values, seq));
            }
        }

        return result;
    }

    /// <summary>Live rows and tombstones in the row-version table, maintained in memory as versions are written.</summary>
    public (long Rows, long Tombstones) Counts() => (Interlocked.Read(ref liveRows), Interlocked.Read(ref tombstones));

    /// <summary>Live rows and tombstones counted in the database (a full scan: at open, and to check the counters).</summary>
    internal (long Rows, long Tombstones) CountVersions()
    {
        using var connection = OpenRead();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*), coalesce(sum(deleted), 0) FROM __repl_versions";
        using var reader = command.ExecuteReader();
        reader.Read();
        var total = reader.GetInt64(0);
        var dead = reader.GetInt64(1);
        return (total - dead, dead);
    }
}
