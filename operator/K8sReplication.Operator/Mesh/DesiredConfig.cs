using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using K8sReplication.Contracts.Config;
using K8sReplication.Contracts.Json;
using K8sReplication.Contracts.Mesh;

namespace K8sReplication.Operator.Mesh;

/// <summary>
/// Pure builder of the config each member should run. The database path, token file, listen
/// addresses and node name stay sidecar-local and are never part of a push.
/// </summary>
internal static class DesiredConfig
{
    /// <summary>Default Redis key prefix: the namespace keeps meshes of one name in two namespaces apart.</summary>
    public static string DefaultRedisKeyPrefix(string @namespace) => $"k8srepl:{@namespace}:";

    public static SidecarConfig ForMember(string mesh, long generation, ReplicationMeshSpec spec, IReadOnlyList<PeerConfig> peers,
        string @namespace = "default") => new()
    {
        Mesh = mesh,
        Generation = generation,
        Peers = peers,
        Tables = spec.Database?.Tables is { Count: > 0 } tables ? tables : null,
        Topology = spec.Topology?.Type ?? Topology.FullMesh,
        HotPath = new HotPathConfig
        {
            BatchSize = spec.HotPath?.BatchSize,
            Wait = spec.HotPath?.Wait,
            Transport = spec.HotPath?.Transport switch
            {
                HotPathTransport.Redis => "redis",
                HotPathTransport.Http => "http",
                _ => null,
            },
            Redis = spec.HotPath?.Transport == HotPathTransport.Redis && spec.HotPath.Redis is { } redis
                ? new RedisTransportConfig
                {
                    Url = redis.Url,
                    KeyPrefix = redis.KeyPrefix ?? DefaultRedisKeyPrefix(@namespace),
                    StreamMaxLen = redis.StreamMaxLen,
                }
                : null,
        },
        AntiEntropy = new AntiEntropyConfig
        {
            Interval = spec.AntiEntropy?.Interval,
            Budget = spec.AntiEntropy?.Budget,
            Timeout = spec.AntiEntropy?.Timeout,
        },
        MaxClockSkew = spec.MaxClockSkew,
        TombstoneTtl = spec.TombstoneTtl,
        ConflictRetention = spec.ConflictRetention is { } retention
            ? new ConflictRetentionConfig { MaxAge = retention.MaxAge, MaxEntries = retention.MaxEntries }
            : null,
        Paused = spec.Paused ?? false,
    };

    /// <summary>
    /// Fingerprint of a set of member configs, ignoring their generation: the config generation is bumped exactly
    /// when this changes, so sidecars see a new generation only for a real change. Pushed-only input that the configs
    /// do not show (the version of the backup credentials Secret) is passed as <paramref name="pushedOnly"/>.
    /// </summary>
    public static string Fingerprint(IReadOnlyDictionary<string, SidecarConfig> configs, string? pushedOnly = null)
    {
        var sb = new StringBuilder();
        if (pushedOnly is not null)
        {
            sb.Append(pushedOnly).Append('\n');
        }

        foreach (var (pod, config) in configs.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            sb.Append(pod).Append('\n')
              .Append(JsonSerializer.Serialize(config with { Generation = null }, ContractsJsonContext.Default.SidecarConfig))
              .Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }
}
