using System.Globalization;
using System.Net;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Mesh;
using k8s.Models;

namespace K8sReplication.Operator.Mesh;

/// <summary>
/// Which pods are members of a mesh and where their sidecars listen (pure). Members are the
/// pods of the mesh's namespace that match its selector, run (phase Running) and have an IP. A pod being deleted stays
/// a member, marked terminating, while it still runs: its sidecar drains (waits for a peer to fetch the changes only
/// it holds), and its peers must keep fetching from it meanwhile.
/// Ports come from container ports named <c>k8srepl</c> / <c>k8srepl-admin</c> — init containers included, since a
/// native sidecar is an init container — else from the spec (defaults 8900 / 8901).
/// </summary>
internal static class MemberDiscovery
{
    public static IReadOnlyList<MeshMemberEndpoint> Members(ReplicationMesh mesh, IEnumerable<V1Pod> pods)
    {
        var spec = mesh.Spec ?? new ReplicationMeshSpec();
        return pods
            .Where(p => p.Metadata.NamespaceProperty == mesh.Metadata.NamespaceProperty && IsMember(spec.Selector, p))
            .Select(p => Endpoint(spec, p))
            .OrderBy(m => m.Pod, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>True when the pod matches and is a running pod with an IP (terminating or not).</summary>
    public static bool IsMember(Contracts.Mesh.LabelSelector selector, V1Pod pod) =>
        pod.Status?.Phase == "Running"
        && !string.IsNullOrEmpty(pod.Status.PodIP)
        && SelectorMatcher.Matches(selector, Labels(pod));

    public static IReadOnlyDictionary<string, string>? Labels(V1Pod pod) =>
        pod.Metadata.Labels is null ? null : new Dictionary<string, string>(pod.Metadata.Labels, StringComparer.Ordinal);

    private static MeshMemberEndpoint Endpoint(ReplicationMeshSpec spec, V1Pod pod)
    {
        var ports = (pod.Spec?.InitContainers ?? []).Concat(pod.Spec?.Containers ?? []).SelectMany(c => c.Ports ?? []).ToList();
        var replication = NamedPort(ports, WellKnown.ReplicationPortName) ?? spec.ReplicationPort ?? WellKnown.ReplicationPort;
        var admin = NamedPort(ports, WellKnown.AdminPortName) ?? spec.AdminPort ?? WellKnown.AdminPort;
        var ip = pod.Status!.PodIP!;
        return new MeshMemberEndpoint(pod.Metadata.Name ?? "", Url(ip, replication), Url(ip, admin), pod.Metadata.DeletionTimestamp is not null);
    }

    private static int? NamedPort(List<V1ContainerPort> ports, string name) =>
        ports.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal) && p.ContainerPort > 0)?.ContainerPort;

    private static string Url(string ip, int port)
    {
        // IPv6 pod IPs need brackets in a URL.
        var host = IPAddress.TryParse(ip, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? "[" + ip + "]"
            : ip;
        return string.Create(CultureInfo.InvariantCulture, $"http://{host}:{port}");
    }
}
