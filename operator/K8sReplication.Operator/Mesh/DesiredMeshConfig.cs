using K8sReplication.Contracts.Config;
using K8sReplication.Contracts.Mesh;

namespace K8sReplication.Operator.Mesh;

/// <summary>
/// The desired config of every member of one mesh (pure): peers from the topology, the rest
/// from the spec, and the fingerprint that decides whether the config generation moves.
/// </summary>
internal sealed record DesiredMeshConfig(IReadOnlyDictionary<string, SidecarConfig> Configs, string Fingerprint)
{
    /// <summary>Backup credentials added to every push; never part of <see cref="Configs"/>, which the ConfigMap holds.</summary>
    public BackupCredentials? BackupCredentials { get; init; }

    public static DesiredMeshConfig Build(string @namespace, string mesh, ReplicationMeshSpec spec, IReadOnlyList<MeshMemberEndpoint> members,
        BackupCredentialsVerdict? backupCredentials = null)
    {
        var backup = MeshBackup.Config(@namespace, mesh, spec.Backup);
        var urls = members.ToDictionary(m => m.Pod, m => m.ReplicationUrl, StringComparer.Ordinal);
        var graph = PeerGraph.Build(urls.Keys, spec.Topology?.Type ?? Topology.FullMesh, spec.Topology?.Degree ?? TopologySpec.DefaultDegree);
        var configs = new SortedDictionary<string, SidecarConfig>(StringComparer.Ordinal);
        foreach (var member in members)
        {
            // A member on TLS never sends a request in plain HTTP (it refuses an http:// peer), so while a mesh moves
            // to TLS pod by pod it is given only the peers already on TLS; the others tail it once they are too.
            var tls = IsTls(member.ReplicationUrl);
            var peers = graph[member.Pod]
                .Where(p => !tls || IsTls(urls[p]))
                .Select(p => new PeerConfig { Name = p, Url = urls[p] })
                .ToList();
            configs[member.Pod] = DesiredConfig.ForMember(mesh, 0, spec, peers, @namespace) with { Backup = backup };
        }

        var credentials = backup is null ? null : backupCredentials?.Credentials;
        return new DesiredMeshConfig(configs, DesiredConfig.Fingerprint(configs, credentials is null ? null : backupCredentials!.Version))
        {
            BackupCredentials = credentials,
        };
    }

    private static bool IsTls(string url) => url.StartsWith("https://", StringComparison.Ordinal);

    /// <summary>What is pushed to <paramref name="pod"/>: its config at <paramref name="generation"/>, with the backup credentials.</summary>
    public SidecarConfig ForPush(string pod, long generation)
    {
        var config = Configs[pod] with { Generation = generation };
        return BackupCredentials is not null && config.Backup is { } backup
            ? config with { Backup = backup with { Credentials = BackupCredentials } }
            : config;
    }

    /// <summary>
    /// The config a member of a deleted mesh gets: same settings, no peers, so it stops replicating, and no backup: the
    /// mesh's archive stays as it was at deletion, restorable, and no longer grows.
    /// </summary>
    public static SidecarConfig Detached(string @namespace, string mesh, ReplicationMeshSpec spec, long generation) =>
        DesiredConfig.ForMember(mesh, generation, spec, [], @namespace);
}
