using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Sandbox.Members;

/// <summary>
/// The sample app: inserts and updates notes on random members, writing each member's SQLite file directly (the app
/// is not aware of replication). Writes go on while a sidecar is down: capture happens in the app's transaction.
/// </summary>
internal sealed class AppWriter(MemberSet members, TimeSpan pace)
{
    private static readonly string[] Authors = ["ada", "grace", "linus", "barbara", "ken"];

    private readonly ConcurrentDictionary<string, long> _writes = new(StringComparer.Ordinal);
    private volatile bool _paused;
    private long _failed;

    public long Total => _writes.Values.Sum();

    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>While paused no write is made (scenarios pause it to show convergence on a quiet mesh).</summary>
    public bool Paused
    {
        get => _paused;
        set => _paused = value;
    }

    public long WritesOn(string member) => _writes.GetValueOrDefault(member);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(pace);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                // Only members whose sidecar has installed its capture triggers: rows written before the first
                // sidecar start are not captured (see docs/guarantees-and-limits.md).
                var all = members.All.Where(m => m.Installed).ToList();
                if (_paused || all.Count == 0)
                {
                    continue;
                }

                var member = all[Random.Shared.Next(all.Count)];
                try
                {
                    WriteOne(member.DatabasePath);
                    _writes.AddOrUpdate(member.Name, 1, (_, n) => n + 1);
                }
                catch (SqliteException)
                {
                    // Busy beyond the app's timeout: a real app would retry; the demo just counts it.
                    Interlocked.Increment(ref _failed);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped.
        }
    }

    private static void WriteOne(string databasePath)
    {
        using var connection = AppSchema.Open(databasePath);
        using var command = connection.CreateCommand();
        var now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        var author = Authors[Random.Shared.Next(Authors.Length)];
        if (Random.Shared.Next(100) < 35)
        {
            // Update a random existing note (a row another member may be updating too: last writer wins).
            command.CommandText = """
                UPDATE notes SET body = $body, author = $author, version = version + 1, updated_at = $now
                WHERE id = (SELECT id FROM notes ORDER BY random() LIMIT 1)
                """;
        }
        else
        {
            command.CommandText = "INSERT INTO notes(id, author, body, updated_at) VALUES ($id, $author, $body, $now)";
            command.Parameters.AddWithValue("$id", Guid.CreateVersion7().ToString());
        }

        command.Parameters.AddWithValue("$author", author);
        command.Parameters.AddWithValue("$body", $"note by {author} at {now}");
        command.Parameters.AddWithValue("$now", now);
        command.ExecuteNonQuery();
    }
}
