using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Storage;

/// <summary>Reads current row values by primary key inside one read transaction, one prepared command per table.</summary>
internal sealed class RowReader(SqliteConnection connection, SqliteTransaction transaction) : IDisposable
{
    private readonly Dictionary<long, SqliteCommand> commands = [];

    /// <summary>All column values of the row with <paramref name="key"/>, or null when there is no such row.</summary>
    public object?[]? Read(ReplicaTable table, byte[] key)
    {
        if (!commands.TryGetValue(table.Id, out var command))
        {
            command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = table.SelectRowSql;
            for (var i = 0; i < table.PrimaryKeyColumns.Count; i++)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = "@k" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            }

            commands[table.Id] = command;
        }

        var values = KeyCodec.Decode(key);
        for (var i = 0; i < values.Count; i++)
        {
            command.Parameters[i].Value = ReplicaStore.ToDb(values[i]);
        }

        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        var row = new object?[table.Columns.Count];
        for (var i = 0; i < row.Length; i++)
        {
            row[i] = ReplicaStore.FromDb(reader.GetValue(i));
        }

        return row;
    }

    public void Dispose()
    {
        foreach (var command in commands.Values)
        {
            command.Dispose();
        }
    }
}
