using K8sReplication.Contracts;
using K8sReplication.Contracts.Wire;
using K8sReplication.KubectlPlugin.Cluster;
using K8sReplication.KubectlPlugin.Output;
using K8sReplication.KubectlPlugin.Status;

namespace K8sReplication.KubectlPlugin.Diff;

/// <summary>
/// <c>diff MESH</c>: compares every member's Merkle root through the replication API; for members that differ from
/// the reference (a member with the most common root), descends the trees to name the differing leaves and tables.
/// </summary>
internal static class DiffCommand
{
    public static async Task<DiffReport> ReadAsync(MeshConnection connection, string meshName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var mesh = await connection.GetMeshAsync(meshName, cancellationToken);
        if (mesh.MemberPods.Count == 0)
        {
            throw new PluginException($"mesh \"{meshName}\" has no members in its status yet");
        }

        var token = await connection.ReadTokenAsync(mesh, cancellationToken);
        var members = await Task.WhenAll(mesh.MemberPods.Select(async pod =>
        {
            var port = SidecarPorts.Replication(await connection.GetPodAsync(pod, cancellationToken), mesh.Spec);
            var root = await connection.SidecarGetAsync(pod, port, Paths.Merkle, token, WireJsonContext.Default.MerkleRootResponse, cancellationToken);
            return new Member(pod, port, root);
        }));

        var referenceRoot = StatusSummary.MostCommon(members.Select(m => m.Root.Root))!;
        var reference = members.First(m => m.Root.Root == referenceRoot);
        var differing = new List<MemberDifference>();
        foreach (var member in members.Where(m => m.Root.Root != referenceRoot))
        {
            if (member.Root.Depth != reference.Root.Depth || member.Root.Fanout != reference.Root.Fanout)
            {
                throw new PluginException($"pod {member.Pod}: Merkle tree shape (depth {member.Root.Depth}) differs from pod {reference.Pod}'s (depth {reference.Root.Depth}); members of one mesh run one shape");
            }

            var descent = new MerkleDescent(
                Nodes(connection, reference, token),
                Nodes(connection, member, token),
                Leaf(connection, reference, token),
                Leaf(connection, member, token));
            differing.Add(await descent.CompareAsync(member.Pod, member.Root.Root, reference.Root.Depth, cancellationToken));
        }

        return new DiffReport
        {
            Mesh = mesh.Name,
            Reference = reference.Pod,
            ReferenceRoot = referenceRoot,
            Agreeing = [.. members.Where(m => m.Root.Root == referenceRoot).Select(m => m.Pod)],
            Differing = differing,
        };
    }

    public static string Text(DiffReport report, Palette palette)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(palette);
        var root = report.ReferenceRoot[..Math.Min(12, report.ReferenceRoot.Length)];
        if (report.Differing.Count == 0)
        {
            return palette.Good($"all {report.Agreeing.Count} members agree") + $" (Merkle root {root})\n";
        }

        var text = $"reference {report.Reference}, Merkle root {root}, agreeing: {string.Join(", ", report.Agreeing)}\n";
        var rows = report.Differing.Select(d => (IReadOnlyList<string>)
        [
            d.Pod,
            palette.Warn(d.MerkleRoot[..Math.Min(12, d.MerkleRoot.Length)]),
            d.Tables.Count == 0 ? "-" : string.Join(",", d.Tables),
            d.Rows.ToString(System.Globalization.CultureInfo.InvariantCulture) + (d.Truncated ? "+" : ""),
            string.Join(",", d.Leaves.Take(8)) + (d.Leaves.Count > 8 || d.Truncated ? ",..." : ""),
        ]).ToList();
        return text + TextTable.Render(["DIFFERING POD", "MERKLE ROOT", "TABLES", "ROWS", "LEAVES"], rows);
    }

    private static Func<string, CancellationToken, Task<MerkleNodesResponse>> Nodes(MeshConnection connection, Member member, string? token) =>
        (path, ct) => connection.SidecarGetAsync(member.Pod, member.Port, $"{Paths.MerkleNodes}?path={path}", token, WireJsonContext.Default.MerkleNodesResponse, ct);

    private static Func<int, CancellationToken, Task<MerkleLeafResponse>> Leaf(MeshConnection connection, Member member, string? token) =>
        (leaf, ct) => connection.SidecarGetAsync(member.Pod, member.Port, $"{Paths.MerkleLeaves}/{leaf}", token, WireJsonContext.Default.MerkleLeafResponse, ct);

    private sealed record Member(string Pod, int Port, MerkleRootResponse Root);
}
