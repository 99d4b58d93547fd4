using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using K8sReplication.Contracts.Health;
using K8sReplication.KubectlPlugin.Output;

namespace K8sReplication.KubectlPlugin.Status;

/// <summary>Pure mapping from sidecar health to status rows, and the rows to the table.</summary>
internal static class StatusSummary
{
    public static MemberStatus FromHealth(string pod, SidecarHealth health)
    {
        ArgumentNullException.ThrowIfNull(health);
        return new MemberStatus
        {
            Pod = pod,
            Ready = health.Ready,
            State = health.Draining ? "Draining" : health.State.ToString(),
            LagSeconds = health.Peers.Count == 0 ? 0 : health.Peers.Max(p => p.LagSeconds),
            MerkleRoot = health.MerkleRoot,
            Rows = health.Rows,
            Conflicts = health.Conflicts,
            Schema = SchemaDigest(health.SchemaHashes),
            BackupConfigured = health.Backup is not null,
            BackupLastSuccessAt = health.Backup?.LastSuccessAt,
            BackupError = health.Backup?.LastError,
        };
    }

    /// <summary>Short digest over every (table, schema hash): equal on members whose replicated schemas match.</summary>
    public static string SchemaDigest(IReadOnlyDictionary<string, string> hashes)
    {
        ArgumentNullException.ThrowIfNull(hashes);
        var text = string.Concat(hashes.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => h.Key + "=" + h.Value + "\n"));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..8];
    }

    /// <summary>Marks members whose schema digest is not the most common one.</summary>
    public static IReadOnlyList<MemberStatus> MarkSchemaDifferences(IReadOnlyList<MemberStatus> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        var common = MostCommon(members.Select(m => m.Schema));
        return members.Select(m => m with { SchemaDiffers = m.Schema is not null && m.Schema != common }).ToList();
    }

    public static string? MostCommon(IEnumerable<string?> values) =>
        values.Where(v => v is not null).GroupBy(v => v, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.Key).FirstOrDefault();

    public static string Table(StatusReport report, Palette palette, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(palette);
        var commonRoot = MostCommon(report.Members.Select(m => m.MerkleRoot));
        var rows = report.Members.Select(m => (IReadOnlyList<string>)
        [
            m.Pod,
            m.Error is not null ? palette.Bad("unreachable") : m.Ready ? palette.Good("yes") : palette.Bad("no"),
            m.LagSeconds is { } lag ? Seconds(lag) : "-",
            m.MerkleRoot is { Length: > 0 } root ? (root == commonRoot ? root[..Math.Min(12, root.Length)] : palette.Warn(root[..Math.Min(12, root.Length)])) : "-",
            m.Rows?.ToString(CultureInfo.InvariantCulture) ?? "-",
            m.Conflicts is { } c ? (c > 0 ? palette.Warn(c.ToString(CultureInfo.InvariantCulture)) : "0") : "-",
            m.Schema is null ? "-" : m.SchemaDiffers ? palette.Warn(m.Schema + " (differs)") : m.Schema,
            Backup(m, palette, now),
        ]).ToList();
        var header = $"mesh {report.Namespace}/{report.Mesh}: {report.Phase ?? "no status yet"}{(report.Paused ? ", paused" : "")}\n";
        var errors = string.Concat(report.Members.Where(m => m.Error is not null).Select(m => palette.Bad($"{m.Pod}: {m.Error}") + "\n"));
        return header + TextTable.Render(["POD", "READY", "LAG", "MERKLE ROOT", "ROWS", "CONFLICTS", "SCHEMA", "BACKUP"], rows) + errors;
    }

    public static string Age(TimeSpan age) => age.TotalSeconds switch
    {
        < 0 => "0s",
        < 120 => $"{(int)age.TotalSeconds}s",
        < 7200 => $"{(int)age.TotalMinutes}m",
        < 172_800 => $"{(int)age.TotalHours}h",
        _ => $"{(int)age.TotalDays}d",
    };

    private static string Seconds(double seconds) => seconds.ToString("0.0", CultureInfo.InvariantCulture) + "s";

    private static string Backup(MemberStatus m, Palette palette, DateTimeOffset now)
    {
        if (!m.BackupConfigured)
        {
            return "-";
        }

        if (m.BackupError is { } error)
        {
            return palette.Bad("error: " + (error.Length <= 40 ? error : error[..40] + "..."));
        }

        return m.BackupLastSuccessAt is { } at ? Age(now - at) + " ago" : palette.Warn("pending");
    }
}
