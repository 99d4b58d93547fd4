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
        Folder = Path.Combine(Root, "k8srepl-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        FilePath = Path.Combine(Folder, name);
    }

    /// <summary>
    /// Parent of all temp databases: K8SREPL_TEST_TMP, else /dev/shm when present (a RAM-backed temp folder keeps the
    /// many small databases of property tests off the disk), else the system temp folder.
    /// </summary>
    public static string Root { get; } = Environment.GetEnvironmentVariable("K8SREPL_TEST_TMP") is { Length: > 0 } configured
        ? configured
        : Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();

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
        connection.Execute("PRAGMA synchronous = NORMAL");
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
