using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using K8sReplication.Contracts.Config;

namespace K8sReplication.Contracts.Mesh;

/// <summary>Hot-path (change-feed tailing) settings.</summary>
[CelRule("!has(self.transport) || self.transport != 'redis' || has(self.redis)", "hotPath.redis is required when hotPath.transport is redis")]
[CelRule("!has(self.redis) || (has(self.transport) && self.transport == 'redis')", "hotPath.redis is only used when hotPath.transport is redis")]
public sealed record HotPathSpec
{
    /// <summary>Largest batch fetched and applied at once.</summary>
    [Range(1, 10_000)]
    [DefaultValue(HotPathConfig.DefaultBatchSize)]
    [Description("Largest number of changes fetched and applied in one transaction.")]
    public int? BatchSize { get; init; }

    /// <summary>Long-poll wait of a change-feed request.</summary>
    [RegularExpression(DurationPattern.Regex)]
    [DefaultValue(HotPathConfig.DefaultWait)]
    [Description("How long a change-feed request waits for new changes before answering empty, e.g. 10s.")]
    public string? Wait { get; init; }

    /// <summary>How changes travel between members.</summary>
    [DefaultValue("http")]
    [Description("How changes travel between members. http: each member tails its peers' change feeds. redis: each member appends its own changes to a Redis stream and tails its peers' streams (anti-entropy still runs over HTTP); see docs/redis-transport.md. Read by each sidecar at start: a change reaches a running member at its next restart (ConfigApplied says which).")]
    public HotPathTransport? Transport { get; init; }

    /// <summary>Server and streams of the Redis transport.</summary>
    [Description("The Redis server and streams; required exactly when transport is redis.")]
    public RedisTransportSpec? Redis { get; init; }
}
