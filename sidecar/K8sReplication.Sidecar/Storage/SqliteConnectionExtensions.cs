using System.Globalization;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Storage;

internal static class SqliteConnectionExtensions
{
    public static long ExecuteScalarInt64(this SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>The first column of every row of a query with one text parameter (@p), as strings.</summary>
    public static List<string> QueryStrings(this SqliteConnection connection, SqliteTransaction? transaction, string sql, string parameter)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.Parameters.AddWithValue("@p", parameter);
        using var reader = command.ExecuteReader();
        var result = new List<string>();
        while (reader.Read())
        {
            result.Add(reader.GetString(0));
        }

        return result;
    }
}
