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

    /// <summary>
    /// True when the pod matches and has an IP, running or not yet: it gets a certificate (TLS mode Operator) before
    /// it is a member, since its sidecar waits for its certificate before the pod can run.
    /// </summary>
    public static bool IsCertified(Contracts.Mesh.LabelSelector? selector, V1Pod pod) =>
        pod.Status?.Phase is not ("Succeeded" or "Failed")
        && !string.IsNullOrEmpty(pod.Status?.PodIP)
        && SelectorMatcher.Matches(selector, Labels(pod));

    public static IReadOnlyDictionary<string, string>? Labels(V1Pod pod) =>
        pod.Metadata.Labels is null ? null : new Dictionary<string, string>(pod.Metadata.Labels, StringComparer.Ordinal);

    private static MeshMemberEndpoint Endpoint(ReplicationMeshSpec spec, V1Pod pod)
    {
        var (replication, admin) = Ports(spec, pod);
        var ip = pod.Status!.PodIP!;
        var scheme = UsesTls(pod) ? "https" : "http";
        return new MeshMemberEndpoint(pod.Metadata.Name ?? "", Url(scheme, ip, replication), Url("http", ip, admin), pod.Metadata.DeletionTimestamp is not null);
    }

    /// <summary>The pod's sidecar replication and admin ports (see the type's remarks).</summary>
    public static (int Replication, int Admin) Ports(ReplicationMeshSpec spec, V1Pod pod)
    {
        var ports = (pod.Spec?.InitContainers ?? []).Concat(pod.Spec?.Containers ?? []).SelectMany(c => c.Ports ?? []).ToList();
        return (NamedPort(ports, WellKnown.ReplicationPortName) ?? spec.ReplicationPort ?? WellKnown.ReplicationPort,
            NamedPort(ports, WellKnown.AdminPortName) ?? spec.AdminPort ?? WellKnown.AdminPort);
    }

    /// <summary>True when the pod starts its sidecar with TLS (see the type's remarks).</summary>
    public static bool UsesTls(V1Pod pod)
    {
        List<V1Container> containers = [.. pod.Spec?.InitContainers ?? [], .. pod.Spec?.Containers ?? []];
        var sidecars = containers.Where(c => (c.Ports ?? []).Any(p => p.Name == WellKnown.ReplicationPortName)).ToList();
        return (sidecars.Count > 0 ? sidecars : containers).Any(c =>
            (c.Args ?? []).Concat(c.Command ?? []).Any(a => a == TlsCertFlag || a.StartsWith(TlsCertFlag + "=", StringComparison.Ordinal))
            || (c.Env ?? []).Any(e => e.Name == EnvVars.TlsCert));
    }

    private const string TlsCertFlag = "--tls-cert";

    private static int? NamedPort(List<V1ContainerPort> ports, string name) =>
        ports.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal) && p.ContainerPort > 0)?.ContainerPort;

    private static string Url(string scheme, string ip, int port)
    {
        // IPv6 pod IPs need brackets in a URL.
        var host = IPAddress.TryParse(ip, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? "[" + ip + "]"
            : ip;
        return string.Create(CultureInfo.InvariantCulture, $"{scheme}://{host}:{port}");
    }
}
