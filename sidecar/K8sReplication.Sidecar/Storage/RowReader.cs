using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// Reads current row values by primary key inside one read transaction: one raw prepared statement per table (the
/// change feed reads a row per entry, so per-row ADO.NET costs showed up in the sender's profile).
/// </summary>
internal sealed class RowReader(SqliteConnection connection, SqliteTransaction transaction) : IDisposable
{
    private readonly Dictionary<long, RawStatement> statements = [];

    /// <summary>All column values of the row with <paramref name="key"/>, or null when there is no such row.</summary>
    public object?[]? Read(ReplicaTable table, byte[] key)
    {
        _ = transaction; // raw statements run in the connection's open read transaction
        if (!statements.TryGetValue(table.Id, out var statement))
        {
            statement = new RawStatement(connection, table.SelectRowSql);
            statements[table.Id] = statement;
        }

        var values = KeyCodec.Decode(key);
        for (var i = 0; i < values.Count; i++)
        {
            statement.BindValue(i + 1, values[i]);
        }

        try
        {
            if (!statement.Step())
            {
                return null;
            }

            var row = new object?[table.Columns.Count];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = statement.Value(i);
            }

            return row;
        }
        finally
        {
            statement.Reset();
        }
    }

    public void Dispose()
    {
        foreach (var statement in statements.Values)
        {
            statement.Dispose();
        }
    }
}
