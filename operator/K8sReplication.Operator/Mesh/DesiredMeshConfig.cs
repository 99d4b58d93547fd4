using K8sReplication.Contracts.Config;
using K8sReplication.Contracts.Mesh;

namespace K8sReplication.Operator.Mesh;

/// <summary>
/// The desired config of every member of one mesh (pure): peers from the topology, the rest
/// from the spec, and the fingerprint that decides whether the config generation moves.
/// </summary>
internal sealed record DesiredMeshConfig(IReadOnlyDictionary<string, SidecarConfig> Configs, string Fingerprint)
{
    public static DesiredMeshConfig Build(string mesh, ReplicationMeshSpec spec, IReadOnlyList<MeshMemberEndpoint> members)
    {
        var urls = members.ToDictionary(m => m.Pod, m => m.ReplicationUrl, StringComparer.Ordinal);
        var graph = PeerGraph.Build(urls.Keys, spec.Topology?.Type ?? Topology.FullMesh, spec.Topology?.Degree ?? TopologySpec.DefaultDegree);
        var configs = new SortedDictionary<string, SidecarConfig>(StringComparer.Ordinal);
        foreach (var member in members)
        {
            var peers = graph[member.Pod].Select(p => new PeerConfig { Name = p, Url = urls[p] }).ToList();
            configs[member.Pod] = DesiredConfig.ForMember(mesh, 0, spec, peers);
        }

        return new DesiredMeshConfig(configs, DesiredConfig.Fingerprint(configs));
    }

    /// <summary>The config a member of a deleted mesh gets: same settings, no peers, so it stops replicating.</summary>
    public static SidecarConfig Detached(string mesh, ReplicationMeshSpec spec, long generation) =>
        DesiredConfig.ForMember(mesh, generation, spec, []);
}
