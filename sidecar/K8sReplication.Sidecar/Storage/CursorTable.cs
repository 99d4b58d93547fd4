namespace K8sReplication.Sidecar.Storage;

/// <summary>Durable per-peer positions and facts (<c>__repl_cursors</c>): feed cursors, repair progress, site bindings.</summary>
internal sealed class CursorTable(ReplicaContext context)
{
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
    public void WriteCursor(string cursorKey, string value)
    {
        context.InWriteTransaction((tx, _) =>
        {
            var cursor = context.Prepared(tx, "INSERT INTO __repl_cursors(key, value) VALUES (@p0, @p1) ON CONFLICT (key) DO UPDATE SET value = excluded.value", 2);
            cursor.Parameters[0].Value = cursorKey;
            cursor.Parameters[1].Value = value;
            return cursor.ExecuteNonQuery();
        });
    }
}
