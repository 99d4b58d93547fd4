using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Sandbox.Members;

/// <summary>
/// The sample app: inserts and updates notes and inserts events on random members, writing each member's SQLite file
/// directly (the app is not aware of replication). Writes go on while a sidecar is down: capture happens in the app's
/// transaction. Event ids are INTEGER keys allocated in the member's own range (ordinal &lt;&lt; 40), so members
/// writing at the same time never take the same id.
/// </summary>
internal sealed class AppWriter(MemberSet members, TimeSpan pace)
{
    private static readonly string[] Authors = ["ada", "grace", "linus", "barbara", "ken"];

    private readonly ConcurrentDictionary<string, long> _writes = new(StringComparer.Ordinal);
    private volatile bool _paused;
    private long _failed;
    private long _events;

    public long Total => _writes.Values.Sum();

    /// <summary>Events inserted (on every member together).</summary>
    public long Events => Interlocked.Read(ref _events);

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
                    if (WriteOne(member))
                    {
                        Interlocked.Increment(ref _events);
                    }

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

    /// <summary>One write on <paramref name="member"/>; true when it was an event.</summary>
    private static bool WriteOne(Member member)
    {
        using var connection = AppSchema.Open(member.DatabasePath);
        using var command = connection.CreateCommand();
        var now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        var roll = Random.Shared.Next(100);
        if (roll < 20)
        {
            // The next id of this member's own range: one index probe, and no other member ever allocates there.
            command.CommandText = """
                INSERT INTO events(id, member, body)
                VALUES ((SELECT coalesce(max(id) + 1, $base) FROM events WHERE id >= $base AND id < $base + (1 << 40)), $member, $body)
                """;
            command.Parameters.AddWithValue("$base", AppSchema.IdBase(member.Ordinal));
            command.Parameters.AddWithValue("$member", member.Name);
            command.Parameters.AddWithValue("$body", $"event on {member.Name} at {now}");
            command.ExecuteNonQuery();
            return true;
        }

        var author = Authors[Random.Shared.Next(Authors.Length)];
        if (roll < 50)
        {
            // Update a random existing note (a row another member may be updating too: last writer wins). The notes a
            // scenario wrote are left to the scenario, which checks exactly what became of them.
            command.CommandText = """
                UPDATE notes SET body = $body, author = $author, version = version + 1, updated_at = $now
                WHERE id = (SELECT id FROM notes WHERE author <> 'scenario' ORDER BY random() LIMIT 1)
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
        return false;
    }
}
