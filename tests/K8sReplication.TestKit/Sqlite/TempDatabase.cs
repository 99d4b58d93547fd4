using Microsoft.Data.Sqlite;

namespace K8sReplication.TestKit.Sqlite;

/// <summary>
/// A SQLite database file in its own temp folder, deleted on dispose. Connections it opens behave like an app's:
/// WAL, a busy timeout, no pooling (so the file can be deleted).
/// </summary>
public sealed class TempDatabase : IDisposable
{
    public TempDatabase(string name = "app.db")
    {
        Folder = Path.Combine(Path.GetTempPath(), "k8srepl-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        FilePath = Path.Combine(Folder, name);
    }

    public string Folder { get; }

    public string FilePath { get; }

    /// <summary>Opens an app-style connection (WAL, busy_timeout 10 s).</summary>
    public SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        connection.Open();
        connection.Execute("PRAGMA busy_timeout = 10000");
        connection.Execute("PRAGMA journal_mode = WAL");
        return connection;
    }

    /// <summary>Runs one or more statements on a fresh connection.</summary>
    public void Execute(string sql)
    {
        using var connection = OpenConnection();
        connection.Execute(sql);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leaked handle must not fail the test that already passed.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
