using Microsoft.Data.Sqlite;

namespace K8sReplication.Sandbox.Members;

/// <summary>
/// The sample app's database: a <c>notes</c> table keyed by a UUID text, as the docs recommend, and an <c>events</c>
/// table with INTEGER keys that each member allocates only in its own range (see <see cref="IdBase"/>).
/// </summary>
internal static class AppSchema
{
    public const string Table = "notes";

    public const string EventsTable = "events";

    /// <summary>Each member's range of event ids is [ordinal &lt;&lt; 40, (ordinal + 1) &lt;&lt; 40).</summary>
    public const int RangeBits = 40;

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
            CREATE TABLE IF NOT EXISTS events(
                id INTEGER PRIMARY KEY,
                member TEXT NOT NULL,
                body TEXT NOT NULL
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

    /// <summary>The first event id of the member with this ordinal: ids it allocates never meet another member's.</summary>
    public static long IdBase(int ordinal) => (long)ordinal << RangeBits;

    /// <summary>Events per member that wrote them, and how many of them lie outside that member's id range.</summary>
    public static IReadOnlyList<EventTally> TallyEvents(string databasePath)
    {
        using var connection = Open(databasePath);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT member, count(*), min(id), max(id) FROM events GROUP BY member ORDER BY member";
        using var reader = command.ExecuteReader();
        var tallies = new List<EventTally>();
        while (reader.Read())
        {
            var member = reader.GetString(0);
            var count = reader.GetInt64(1);
            var inRange = Member.OrdinalOf(member) is { } ordinal
                && reader.GetInt64(2) >= IdBase(ordinal) && reader.GetInt64(3) < IdBase(ordinal + 1);
            tallies.Add(new EventTally(member, count, inRange));
        }

        return tallies;
    }

    public static long CountEvents(string databasePath)
    {
        using var connection = Open(databasePath);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM events";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>An order-independent digest of the app's rows, to show members hold the same data (not only the same versions).</summary>
    public static string ContentDigest(string databasePath)
    {
        using var connection = Open(databasePath);
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT 'notes/' || id, author, body, version FROM notes
            UNION ALL SELECT 'events/' || id, member, body, 0 FROM events
            ORDER BY 1
            """;
        using var reader = command.ExecuteReader();
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        while (reader.Read())
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"{reader.GetString(0)}\u0001{reader.GetString(1)}\u0001{reader.GetString(2)}\u0001{reader.GetInt64(3)}\u0002"));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..12];
    }
}

/// <summary>The events one member wrote, as another member's database holds them.</summary>
internal sealed record EventTally(string Member, long Count, bool InOwnRange);
