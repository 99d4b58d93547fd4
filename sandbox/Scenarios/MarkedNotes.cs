using K8sReplication.Sandbox.Members;

namespace K8sReplication.Sandbox.Scenarios;

/// <summary>Notes a scenario writes itself (besides the random writer) so it can check exactly where they arrived.</summary>
internal static class MarkedNotes
{
    public static IReadOnlyList<string> Insert(Member member, string label, int count)
    {
        var ids = new List<string>();
        using var connection = AppSchema.Open(member.DatabasePath);
        for (var i = 0; i < count; i++)
        {
            var id = Guid.CreateVersion7().ToString();
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO notes(id, author, body, updated_at) VALUES ($id, 'scenario', $body, $now)";
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$body", $"{label} #{i + 1} written on {member.Name}");
            command.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            command.ExecuteNonQuery();
            ids.Add(id);
        }

        return ids;
    }

    /// <summary>How many of <paramref name="ids"/> the member's database holds.</summary>
    public static int CountPresent(Member member, IReadOnlyList<string> ids)
    {
        using var connection = AppSchema.Open(member.DatabasePath);
        var present = 0;
        foreach (var id in ids)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM notes WHERE id = $id";
            command.Parameters.AddWithValue("$id", id);
            present += (int)(long)command.ExecuteScalar()!;
        }

        return present;
    }

    public static bool EverywhereAll(IEnumerable<Member> members, IReadOnlyList<string> ids) => members.All(m => CountPresent(m, ids) == ids.Count);
}
