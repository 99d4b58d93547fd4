using k8s.Models;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Mesh;

namespace K8sReplication.KubectlPlugin.Cluster;

/// <summary>
/// A member's sidecar port numbers, found as the operator finds them: the pod's container port named
/// <c>k8srepl</c> / <c>k8srepl-admin</c>, else the mesh's spec, else the well-known default. The API server's pod
/// proxy does not resolve port names, so the number has to be looked up here.
/// </summary>
internal static class SidecarPorts
{
    public static int Admin(V1Pod pod, ReplicationMeshSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Named(pod, WellKnown.AdminPortName) ?? spec.AdminPort ?? WellKnown.AdminPort;
    }

    public static int Replication(V1Pod pod, ReplicationMeshSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Named(pod, WellKnown.ReplicationPortName) ?? spec.ReplicationPort ?? WellKnown.ReplicationPort;
    }

    private static int? Named(V1Pod pod, string name)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var containers = (pod.Spec?.InitContainers ?? []).Concat(pod.Spec?.Containers ?? []);
        return containers.SelectMany(c => c.Ports ?? []).FirstOrDefault(p => p.Name == name)?.ContainerPort;
    }
}
