using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// Reads current row values by primary key in whatever read transaction the connection has open: one raw prepared
/// statement per table's SELECT (the change feed reads a row per entry, so per-row ADO.NET costs showed up in the
/// sender's profile). Statements are keyed by their SQL, so a table whose columns changed gets a fresh one; SQLite
/// re-prepares a statement by itself when the schema changed under it.
/// </summary>
internal sealed class RowReader(SqliteConnection connection) : IDisposable
{
    private readonly Dictionary<string, RawStatement> statements = new(StringComparer.Ordinal);

    /// <summary>All column values of the row with <paramref name="key"/>, or null when there is no such row.</summary>
    public object?[]? Read(ReplicaTable table, byte[] key) => Read(table, KeyCodec.Decode(key));

    /// <summary>All column values of the row whose primary-key columns hold <paramref name="keyValues"/>, or null.</summary>
    public object?[]? Read(ReplicaTable table, IReadOnlyList<object?> keyValues)
    {
        if (!statements.TryGetValue(table.SelectRowSql, out var statement))
        {
            statement = new RawStatement(connection, table.SelectRowSql);
            statements[table.SelectRowSql] = statement;
        }

        return Read(statement, table, keyValues);
    }

    /// <summary>
    /// The row <paramref name="select"/> (a prepared <see cref="ReplicaTable.SelectRowSql"/>) finds for
    /// <paramref name="keyValues"/>, on whatever connection and transaction it belongs to; null when there is none.
    /// </summary>
    public static object?[]? Read(RawStatement select, ReplicaTable table, IReadOnlyList<object?> keyValues)
    {
        select.BindValues(keyValues);
        try
        {
            if (!select.Step())
            {
                return null;
            }

            var row = new object?[table.Columns.Count];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = select.Value(i);
            }

            return row;
        }
        finally
        {
            select.Reset();
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
