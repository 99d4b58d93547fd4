using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace K8sReplication.Contracts.Mesh;

/// <summary>The Redis server and streams of the Redis transport.</summary>
[CelRule("!self.url.matches('^rediss?://[^/@]*:[^/@]*@')", "hotPath.redis.url must not carry a password: put it in the Secret named by hotPath.redis.secretRef")]
public sealed record RedisTransportSpec
{
    /// <summary>Server URL.</summary>
    [Required]
    [StringLength(1024, MinimumLength = 10)]
    [RegularExpression("^rediss?://[^\\s]+$")]
    [Description("redis://[user@]host[:port][/db], or rediss:// for TLS. A password goes in secretRef, never in the url (the mesh is readable by more people than its Secrets).")]
    public string Url { get; init; } = "";

    /// <summary>Password Secret.</summary>
    [Description("Secret with the Redis password (key password), mounted into every member.")]
    public RedisSecretReference? SecretRef { get; init; }

    /// <summary>Key prefix; the operator's default adds the namespace.</summary>
    [StringLength(128, MinimumLength = 1)]
    [Description("Prefix of every key the members write; each member's stream is <prefix><mesh>:<site>. Default k8srepl:<namespace>: so meshes of one name in two namespaces never share a stream. Members that meet at one Redis from several clusters must use the same prefix.")]
    public string? KeyPrefix { get; init; }

    /// <summary>Approximate entries a member's stream keeps.</summary>
    [Range(1000, int.MaxValue)]
    [Description("Approximate number of changes each member's stream keeps (XADD MAXLEN ~). Size it for the longest member outage you expect: a member away for more changes than this is repaired by anti-entropy instead. Default 1000000.")]
    public long? StreamMaxLen { get; init; }
}
