using System.Globalization;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Storage;

/// <summary>Durable per-peer positions and facts (<c>__repl_cursors</c>): feed cursors, repair progress, site bindings.</summary>
internal sealed class CursorTable(ReplicaContext context)
{
    /// <summary>Prefix of a peer's feed cursor (<c>feed:SITE</c>): how far this member applied that peer's feed.</summary>
    public const string FeedPrefix = "feed:";

    /// <summary>
    /// Prefix of the resume points of tables held back from a peer (<c>held:SITE:TABLE</c>): a held-back table never
    /// holds the others back; it is read again from its point once schemas agree.
    /// </summary>
    public const string HeldPrefix = "held:";

    /// <summary>Reads a cursor stored by ApplyBatch (or <see cref="WriteCursor"/>); null when none.</summary>
    public string? ReadCursor(string cursorKey)
    {
        using var connection = context.OpenRead();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM __repl_cursors WHERE key = @k";
        command.Parameters.AddWithValue("@k", cursorKey);
        return command.ExecuteScalar() as string;
    }

    /// <summary>Every cursor whose key starts with <paramref name="prefix"/> (key to value).</summary>
    public Dictionary<string, string> ReadCursors(string prefix)
    {
        using var connection = context.OpenRead();
        using var command = connection.CreateCommand();
        // Keys are ordered, so the prefix is a range: [prefix, prefix + U+FFFF).
        command.CommandText = "SELECT key, value FROM __repl_cursors WHERE key >= @lo AND key < @hi";
        command.Parameters.AddWithValue("@lo", prefix);
        command.Parameters.AddWithValue("@hi", prefix + "\uffff");
        using var reader = command.ExecuteReader();
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            result[reader.GetString(0)] = reader.GetString(1);
        }

        return result;
    }

    /// <summary>Stores a durable fact about a peer outside any batch (e.g. the site a peer is bound to).</summary>
    /// <summary>
    /// Rewinds the cursor <paramref name="cursorKey"/> to the lowest resume point held under
    /// <paramref name="heldKeyPrefix"/> for the given tables (tables whose schemas agree again) and forgets those
    /// points, in one transaction. Returns the cursor's value afterwards (null when it had none).
    /// </summary>
    public string? TakeHeld(string cursorKey, string heldKeyPrefix, IReadOnlyCollection<string> tables)
    {
        return context.InWriteTransaction((tx, _) =>
        {
            long? lowest = null;
            var read = context.Prepared(tx, "SELECT value FROM __repl_cursors WHERE key = @p0", 1);
            var delete = context.Prepared(tx, "DELETE FROM __repl_cursors WHERE key = @p0", 1);
            foreach (var table in tables)
            {
                read.Parameters[0].Value = heldKeyPrefix + table;
                if (read.ExecuteScalar() is string text && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var from))
                {
                    lowest = Math.Min(lowest ?? long.MaxValue, from);
                    delete.Parameters[0].Value = heldKeyPrefix + table;
                    delete.ExecuteNonQuery();
                }
            }

            read.Parameters[0].Value = cursorKey;
            var current = read.ExecuteScalar() as string;
            if (lowest is not { } rewind
                || (long.TryParse(current, NumberStyles.None, CultureInfo.InvariantCulture, out var at) && at <= rewind))
            {
                return current;
            }

            var rewound = rewind.ToString(CultureInfo.InvariantCulture);
            Upsert(context, tx, cursorKey, rewound);
            return rewound;
        });
    }

    /// <summary>
    /// Sets every peer's feed cursor back to 0 and forgets held-back resume points (in one transaction): each feed is
    /// read again from its start. See <see cref="ReplicaStore.FeedsGeneration"/>.
    /// </summary>
    public void RestartFeeds() =>
        context.InWriteTransaction((tx, _) =>
            context.Execute(tx, "UPDATE __repl_cursors SET value = '0' WHERE key >= @lo AND key < @hi", ("@lo", FeedPrefix), ("@hi", FeedPrefix + "\uffff"))
            + context.Execute(tx, "DELETE FROM __repl_cursors WHERE key >= @lo AND key < @hi", ("@lo", HeldPrefix), ("@hi", HeldPrefix + "\uffff")));

    public void WriteCursor(string cursorKey, string value) =>
        context.InWriteTransaction((tx, _) => Upsert(context, tx, cursorKey, value));

    /// <summary>Stores a cursor inside the caller's write transaction (an applied batch stores its peer's cursor so).</summary>
    public static int Upsert(ReplicaContext context, SqliteTransaction tx, string cursorKey, string value)
    {
        var cursor = context.Prepared(tx, "INSERT INTO __repl_cursors(key, value) VALUES (@p0, @p1) ON CONFLICT (key) DO UPDATE SET value = excluded.value", 2);
        cursor.Parameters[0].Value = cursorKey;
        cursor.Parameters[1].Value = value;
        return cursor.ExecuteNonQuery();
    }
}
