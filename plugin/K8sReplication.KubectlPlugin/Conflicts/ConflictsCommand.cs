using System.Globalization;
using System.Text;
using System.Text.Json;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Json;
using K8sReplication.KubectlPlugin.Cluster;
using K8sReplication.KubectlPlugin.Output;

namespace K8sReplication.KubectlPlugin.Conflicts;

/// <summary>
/// <c>conflicts MESH [--table T] [--limit N]</c>: every member's conflict log (the local writes it discarded because a
/// concurrent write won), merged newest first. Each member is asked for its newest <c>N</c>; the log is served oldest
/// first, so the plugin asks for everything up to the sidecar's maximum and keeps the newest.
/// </summary>
internal static class ConflictsCommand
{
    /// <summary>The sidecar's largest <c>limit</c>.</summary>
    private const int SidecarMaxLimit = 10_000;

    public static async Task<IReadOnlyList<MemberConflict>> ReadAsync(MeshConnection connection, string meshName, string? table, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var mesh = await connection.GetMeshAsync(meshName, cancellationToken);
        if (mesh.MemberPods.Count == 0)
        {
            throw new PluginException($"mesh \"{meshName}\" has no members in its status yet");
        }

        var token = await connection.ReadTokenAsync(mesh, cancellationToken);
        var query = $"{Paths.Conflicts}?limit={SidecarMaxLimit}" + (table is null ? "" : "&table=" + Uri.EscapeDataString(table));
        var perMember = await Task.WhenAll(mesh.MemberPods.Select(async pod =>
        {
            var port = SidecarPorts.Admin(await connection.GetPodAsync(pod, cancellationToken), mesh.Spec);
            var answer = await connection.SidecarGetAsync(pod, port, query, token, ContractsJsonContext.Default.ConflictsResponse, cancellationToken);
            return answer.Conflicts.Select(c => new MemberConflict(pod, c));
        }));
        return Merge(perMember, limit);
    }

    /// <summary>Newest first; ties ordered by pod, then table, for a stable listing.</summary>
    public static IReadOnlyList<MemberConflict> Merge(IEnumerable<IEnumerable<MemberConflict>> perMember, int limit) =>
        perMember.SelectMany(m => m)
            .OrderByDescending(c => c.Conflict.At)
            .ThenBy(c => c.Pod, StringComparer.Ordinal)
            .ThenBy(c => c.Conflict.Table, StringComparer.Ordinal)
            .Take(limit)
            .ToList();

    public static string Table(IReadOnlyList<MemberConflict> conflicts, Palette palette)
    {
        ArgumentNullException.ThrowIfNull(conflicts);
        ArgumentNullException.ThrowIfNull(palette);
        if (conflicts.Count == 0)
        {
            return "no conflicts logged\n";
        }

        var rows = conflicts.Select(c => (IReadOnlyList<string>)
        [
            c.Conflict.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            c.Pod,
            c.Conflict.Table,
            Values(c.Conflict.Key),
            palette.Warn(c.Conflict.Reason),
            c.Conflict.Loser.Values is { } values ? Values(values) : "(deleted)",
            Short(c.Conflict.Loser.Site),
            Short(c.Conflict.Winner.Site),
        ]).ToList();
        return TextTable.Render(["AT", "POD", "TABLE", "KEY", "REASON", "DISCARDED VALUES", "LOSER SITE", "WINNER SITE"], rows);
    }

    private static string Short(string site) => site.Length <= 8 ? site : site[..8];

    private static string Values(IReadOnlyList<object?> values)
    {
        var text = new StringBuilder("(");
        for (var i = 0; i < values.Count; i++)
        {
            text.Append(i == 0 ? "" : ", ").Append(values[i] switch
            {
                null => "NULL",
                JsonElement e => e.ToString(),
                var v => Convert.ToString(v, CultureInfo.InvariantCulture),
            });
        }

        var result = text.Append(')').ToString();
        return result.Length <= 60 ? result : result[..57] + "...";
    }
}
