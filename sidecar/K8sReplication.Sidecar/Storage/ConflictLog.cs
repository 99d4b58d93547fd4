using System.Globalization;

namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// The conflict log (<c>__repl_conflicts</c>): every write this member discarded because another won, with its full row
/// image, written in the same transaction as the winner. Bounded by <see cref="ConflictRetention"/>: entries past the
/// age limit or beyond the newest <c>MaxEntries</c> are deleted, oldest first (on every record and by
/// <see cref="Prune"/>). Ids only grow while entries are kept, so the newest <c>MaxEntries</c> are the ids above
/// <c>max(id) - MaxEntries</c>.
/// </summary>
internal sealed class ConflictLog(ReplicaContext context)
{
    private const string InsertSql = """
        INSERT INTO __repl_conflicts(at, tbl, pk, reason, loser_hlc, loser_site, loser_deleted, loser_values, winner_hlc, winner_site)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
        """;

    private ConflictRetention retention = ConflictRetention.Default;

    public ConflictRetention Retention
    {
        get => Volatile.Read(ref retention);
        set => Volatile.Write(ref retention, value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>Records a loser inside the caller's write transaction, and keeps the log within its retention.</summary>
    public void Record(WriteEffects effects, ReplicaTable table, byte[] key, string reason, RowVersion loser,
        IReadOnlyList<object?>? loserValues, RowVersion winner)
    {
        var now = context.Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var insert = context.Raw(InsertSql);
        Span<byte> loserSite = stackalloc byte[SiteId.Size];
        Span<byte> winnerSite = stackalloc byte[SiteId.Size];
        loser.Site.WriteTo(loserSite);
        winner.Site.WriteTo(winnerSite);
        insert.Bind(1, now);
        insert.BindValue(2, table.Name);
        insert.Bind(3, key);
        insert.BindValue(4, reason);
        insert.Bind(5, loser.Hlc);
        insert.Bind(6, loserSite);
        insert.Bind(7, loser.Deleted ? 1L : 0L);
        insert.BindValue(8, loserValues is null ? null : KeyCodec.Encode(loserValues));
        insert.Bind(9, winner.Hlc);
        insert.Bind(10, winnerSite);
        insert.Execute();
        var id = insert.LastInsertRowId();
        effects.ConflictsRecorded.Add((table.Name, reason));
        var limits = Retention;
        if (id > limits.MaxEntries)
        {
            var trim = context.Raw("DELETE FROM __repl_conflicts WHERE id <= ?1");
            trim.Bind(1, id - limits.MaxEntries);
            trim.Execute();
        }
    }

    /// <summary>Deletes entries older than the retention's age limit and beyond its count; returns how many went.</summary>
    public int Prune()
    {
        var limits = Retention;
        var cutoff = context.Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds() - (long)limits.MaxAge.TotalMilliseconds;
        return context.InWriteTransaction((tx, _) =>
            context.Execute(tx, "DELETE FROM __repl_conflicts WHERE at < @cutoff", ("@cutoff", cutoff))
            + context.Execute(tx, "DELETE FROM __repl_conflicts WHERE id <= (SELECT max(id) FROM __repl_conflicts) - @max",
                ("@max", (long)limits.MaxEntries)));
    }

    /// <summary>Entries kept now.</summary>
    public long Count()
    {
        using var connection = context.OpenRead();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM __repl_conflicts";
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Entries oldest first, optionally only of <paramref name="table"/> and at or after <paramref name="since"/>, at
    /// most <paramref name="limit"/>.
    /// </summary>
    public IReadOnlyList<ConflictEntry> Read(string? table, DateTimeOffset? since, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        using var connection = context.OpenRead();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT id, at, tbl, pk, reason, loser_hlc, loser_site, loser_deleted, loser_values, winner_hlc, winner_site
            FROM __repl_conflicts WHERE at >= @since AND (@table IS NULL OR tbl = @table) ORDER BY id LIMIT @limit
            """;
        command.Parameters.AddWithValue("@since", since?.ToUnixTimeMilliseconds() ?? long.MinValue);
        command.Parameters.AddWithValue("@table", (object?)table ?? DBNull.Value);
        command.Parameters.AddWithValue("@limit", limit);
        using var reader = command.ExecuteReader();
        var entries = new List<ConflictEntry>();
        while (reader.Read())
        {
            var values = reader.IsDBNull(8) ? null : KeyCodec.Decode((byte[])reader.GetValue(8));
            entries.Add(new ConflictEntry(reader.GetInt64(0), reader.GetString(2), (byte[])reader.GetValue(3), reader.GetString(4),
                new RowVersion(reader.GetInt64(5), SiteId.FromBytes((byte[])reader.GetValue(6)), reader.GetInt64(7) != 0),
                values,
                new RowVersion(reader.GetInt64(9), SiteId.FromBytes((byte[])reader.GetValue(10)), false),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1))));
        }

        return entries;
    }
}
