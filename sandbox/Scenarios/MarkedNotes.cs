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

    /// <summary>The app's update of one note: a new body over the version this member holds.</summary>
    public static void Update(Member member, string id, string body)
    {
        using var connection = AppSchema.Open(member.DatabasePath);
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE notes SET body = $body, version = version + 1, updated_at = $now WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$body", body);
        command.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        if (command.ExecuteNonQuery() != 1)
        {
            throw new InvalidOperationException($"{member.Name} does not hold note {id}");
        }
    }

    /// <summary>The body of note <paramref name="id"/> on the member, or null when it does not hold it.</summary>
    public static string? Body(Member member, string id)
    {
        using var connection = AppSchema.Open(member.DatabasePath);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT body FROM notes WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        return command.ExecuteScalar() as string;
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
