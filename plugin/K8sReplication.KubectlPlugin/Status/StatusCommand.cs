using K8sReplication.Contracts;
using K8sReplication.Contracts.Json;
using K8sReplication.KubectlPlugin.Cluster;

namespace K8sReplication.KubectlPlugin.Status;

/// <summary><c>status MESH</c>: every member's sidecar status, read through the pod proxy.</summary>
internal static class StatusCommand
{
    public static async Task<StatusReport> ReadAsync(MeshConnection connection, string meshName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var mesh = await connection.GetMeshAsync(meshName, cancellationToken);
        var members = await Task.WhenAll(mesh.MemberPods.Select(pod => ReadMemberAsync(connection, mesh, pod, cancellationToken)));
        return new StatusReport
        {
            Mesh = mesh.Name,
            Namespace = mesh.Namespace,
            Phase = mesh.Status?.Phase,
            Paused = mesh.Spec.Paused == true,
            Members = StatusSummary.MarkSchemaDifferences(members),
        };
    }

    private static async Task<MemberStatus> ReadMemberAsync(MeshConnection connection, MeshInfo mesh, string pod, CancellationToken cancellationToken)
    {
        try
        {
            var spec = await connection.GetPodAsync(pod, cancellationToken);
            var port = SidecarPorts.Admin(spec, mesh.Spec);
            var health = await connection.SidecarGetAsync(pod, port, Paths.Status, null, ContractsJsonContext.Default.SidecarHealth, cancellationToken);
            return StatusSummary.FromHealth(pod, health);
        }
        catch (PluginException e)
        {
            // One unreachable member is a row of the matrix, not a failed command.
            var known = mesh.Status?.Members?.FirstOrDefault(m => m.Pod == pod);
            return new MemberStatus { Pod = pod, State = known?.State, MerkleRoot = known?.MerkleRoot, Error = e.Message };
        }
    }
}
