using Microsoft.Data.Sqlite;

namespace K8sReplication.Sandbox.Members;

/// <summary>The sample app's database: one <c>notes</c> table keyed by a UUID text, as the docs recommend.</summary>
internal static class AppSchema
{
    public const string Table = "notes";

    public static void Create(string databasePath)
    {
        using var connection = Open(databasePath);
        using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS notes(
                id TEXT PRIMARY KEY,
                author TEXT NOT NULL,
                body TEXT NOT NULL,
                version INTEGER NOT NULL DEFAULT 1,
                updated_at TEXT NOT NULL
            );
            """;
        command.ExecuteNonQuery();
    }

    /// <summary>A connection as the app opens one: plain SQLite, with a busy timeout because the sidecar writes too.</summary>
    public static SqliteConnection Open(string databasePath)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Pooling = false,
            DefaultTimeout = 10,
        }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout = 10000";
        command.ExecuteNonQuery();
        return connection;
    }

    public static long CountRows(string databasePath)
    {
        using var connection = Open(databasePath);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM notes";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>An order-independent digest of the app's rows, to show members hold the same data (not only the same versions).</summary>
    public static string ContentDigest(string databasePath)
    {
        using var connection = Open(databasePath);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, author, body, version FROM notes ORDER BY id";
        using var reader = command.ExecuteReader();
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        while (reader.Read())
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"{reader.GetString(0)}\u0001{reader.GetString(1)}\u0001{reader.GetString(2)}\u0001{reader.GetInt64(3)}\u0002"));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..12];
    }
}
