using System.Globalization;
using System.Text.Json;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Json;
using k8s;
using k8s.Models;
using K8sReplication.Kube.Client;
using K8sReplication.Kube.Events;
using K8sReplication.Operator.Runtime;

namespace K8sReplication.Operator.Mesh;

internal sealed partial class MeshReconciler
{
    /// <summary>
    /// Makes the mesh's ConfigMap hold the desired config of every member and returns the config generation in force.
    /// The generation moves only when the fingerprint of the configs changes (or a member already runs a higher one),
    /// so a steady mesh never sees a new generation. The cached ConfigMap is only a hint: before moving the
    /// generation it is read fresh from the API server, because the cache may not have seen our own last write yet.
    /// </summary>
    private async Task<long> EnsureConfigMapAsync(ReplicationMesh mesh, DesiredMeshConfig desired, IReadOnlyList<MemberObservation> observations,
        CancellationToken cancellationToken)
    {
        var ns = mesh.Metadata.NamespaceProperty;
        var name = MeshResource.ConfigMapName(mesh.Metadata.Name!);
        var memberMax = observations.Where(o => o.Reachable).Select(o => o.Health!.ConfigGeneration).DefaultIfEmpty(0).Max();
        var cached = _configMaps.Get(ObjectKey.Of(ns, name));
        if (Current(cached, desired, memberMax) is { } inForce)
        {
            return inForce;
        }

        var fresh = await _client.CoreV1.ReadNamespacedConfigMapAsync(name, ns, cancellationToken: cancellationToken).NullWhenNotFound().ConfigureAwait(false);
        if (Current(fresh, desired, memberMax) is { } confirmed)
        {
            return confirmed;
        }

        var generation = 1 + Math.Max(Math.Max(mesh.Status?.ConfigGeneration ?? 0, GenerationOf(fresh) ?? 0), memberMax);
        var configMap = Build(mesh, name, desired, generation);
        if (fresh is null)
        {
            await _client.CoreV1.CreateNamespacedConfigMapAsync(configMap, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        else
        {
            configMap.Metadata.ResourceVersion = fresh.Metadata.ResourceVersion;
            await _client.CoreV1.ReplaceNamespacedConfigMapAsync(configMap, name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        var key = ObjectKey.Of(mesh);
        LogConfigGeneration(_logger, key, generation, desired.Configs.Count);
        await RecordAsync(mesh, EventRecorder.Normal, "ConfigUpdated", $"config generation {generation} for {desired.Configs.Count} members",
            cancellationToken).ConfigureAwait(false);
        return generation;
    }

    /// <summary>The generation of <paramref name="configMap"/> when it already holds the desired configs, else null.</summary>
    private static long? Current(V1ConfigMap? configMap, DesiredMeshConfig desired, long memberMax)
    {
        if (configMap?.Metadata.Annotations?.TryGetValue(MeshResource.FingerprintAnnotation, out var fingerprint) != true
            || fingerprint != desired.Fingerprint
            || GenerationOf(configMap) is not { } generation
            || generation < memberMax)
        {
            return null;
        }

        return generation;
    }

    private static long? GenerationOf(V1ConfigMap? configMap) =>
        configMap?.Metadata.Annotations?.TryGetValue(MeshResource.GenerationAnnotation, out var text) == true
        && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var generation)
            ? generation
            : null;

    /// <summary>The ConfigMap (pure): one <c>&lt;pod&gt;.json</c> entry per member, owned by the mesh so it is collected with it.</summary>
    internal static V1ConfigMap Build(ReplicationMesh mesh, string name, DesiredMeshConfig desired, long generation) => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = mesh.Metadata.NamespaceProperty,
            Labels = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [Labels.Mesh] = mesh.Metadata.Name!,
                [Labels.ManagedBy] = Labels.ManagedByValue,
            },
            Annotations = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [MeshResource.FingerprintAnnotation] = desired.Fingerprint,
                [MeshResource.GenerationAnnotation] = generation.ToString(CultureInfo.InvariantCulture),
            },
            OwnerReferences =
            [
                new V1OwnerReference
                {
                    ApiVersion = MeshResource.Type.ApiVersion,
                    Kind = MeshResource.Type.Kind,
                    Name = mesh.Metadata.Name!,
                    Uid = mesh.Metadata.Uid ?? "",
                    Controller = true,
                    BlockOwnerDeletion = true,
                },
            ],
        },
        Data = desired.Configs.ToDictionary(
            kv => MeshResource.ConfigMapKey(kv.Key),
            kv => JsonSerializer.Serialize(kv.Value with { Generation = generation }, ContractsJsonContext.Default.SidecarConfig),
            StringComparer.Ordinal),
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Mesh {Mesh}: config generation {Generation} written for {Members} members")]
    private static partial void LogConfigGeneration(ILogger logger, string mesh, long generation, int members);
}
