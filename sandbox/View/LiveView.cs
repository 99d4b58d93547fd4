using System.Globalization;
using System.Text;
using K8sReplication.Contracts.Mesh;

namespace K8sReplication.Sandbox.View;

/// <summary>
/// Renders snapshots: on a terminal, a table redrawn in place (ANSI); otherwise one summary line per refresh so logs
/// and tests can read it.
/// </summary>
internal sealed class LiveView(bool plain, Narrator narrator, IReadOnlyList<string> hints)
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public void Render(ClusterSnapshot s)
    {
        if (plain)
        {
            Console.WriteLine(Line(s));
            return;
        }

        var b = new StringBuilder();
        b.Append("\u001b[H\u001b[2J");
        b.AppendLine(Invariant, $"K8sReplication sandbox — {narrator.Elapsed:mm\\:ss}   (Ctrl-C stops everything)");
        b.AppendLine();
        b.AppendLine(Invariant,
            $"mesh notes: phase={s.Mesh?.Phase ?? "-"} members={s.Mesh?.TotalMembers ?? 0} ready={s.Mesh?.ReadyMembers ?? 0} "
            + $"converged={s.Condition(ConditionTypes.Converged)} degraded={s.Condition(ConditionTypes.Degraded)} "
            + $"configApplied={s.Condition(ConditionTypes.ConfigApplied)} maxLag={s.Mesh?.MaxLag ?? "-"}");
        b.AppendLine(Invariant, $"writes by the app: {s.Writes}   replication: {s.AppliedPerSecond:0.0} changes applied/s");
        b.AppendLine();
        b.AppendLine(Invariant,
            $"{"MEMBER",-10} {"SIDECAR",-8} {"READY",-6} {"PEERS",-6} {"ROWS",7} {"EVENTS",7} {"WRITES",7} {"APPLIED",8} {"CONFLICTS",9}  {"MERKLE ROOT",-13} DATA");
        foreach (var m in s.Members)
        {
            b.AppendLine(Invariant,
                $"{m.Name,-10} {(m.SidecarUp ? "up" : "DOWN"),-8} {(m.Ready ? "yes" : "no"),-6} {m.PeersConnected + "/" + m.PeersTotal,-6} "
                + $"{m.Rows,7} {m.Events,7} {m.Writes,7} {m.AppliedTotal,8} {m.Conflicts,9}  {ClusterSnapshot.Short(m.MerkleRoot),-13} {m.Digest}");
        }

        b.AppendLine();
        b.AppendLine(s.LocallyConverged ? "all members hold identical data" : "members differ (replication in flight)");
        b.AppendLine();
        foreach (var line in narrator.Latest(10))
        {
            b.AppendLine(line);
        }

        b.AppendLine();
        foreach (var hint in hints)
        {
            b.AppendLine(hint);
        }

        Console.Write(b.ToString());
    }

    public static string Line(ClusterSnapshot s)
    {
        var members = string.Join(" | ", s.Members.Select(m =>
            $"{m.Name} {(m.SidecarUp ? "up" : "DOWN")} rows={m.Rows} events={m.Events} conflicts={m.Conflicts} root={ClusterSnapshot.Short(m.MerkleRoot)}"));
        return string.Create(Invariant,
            $"status: members={s.Mesh?.TotalMembers ?? 0} ready={s.Mesh?.ReadyMembers ?? 0} converged={s.Condition(ConditionTypes.Converged)} "
            + $"maxLag={s.Mesh?.MaxLag ?? "-"} writes={s.Writes} applied/s={s.AppliedPerSecond:0.0} | {members}");
    }
}
