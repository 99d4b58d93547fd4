namespace K8sReplication.Contracts.Config;

/// <summary>
/// Where the Redis transport keeps the members' change streams (see <see cref="HotPathConfig.Transport"/>). Null
/// fields mean the default.
/// </summary>
public sealed record RedisTransportConfig
{
    /// <summary>Default of <see cref="KeyPrefix"/>.</summary>
    public const string DefaultKeyPrefix = "k8srepl:";

    /// <summary>Default of <see cref="StreamMaxLen"/>.</summary>
    public const long DefaultStreamMaxLen = 1_000_000;

    /// <summary>
    /// <c>redis://[user:password@]host[:port][/db]</c>, or <c>rediss://</c> for TLS. Required with the Redis transport.
    /// </summary>
    public string? Url { get; init; }

    /// <summary>File holding the password (a mounted Secret); wins over a password in <see cref="Url"/>. Sidecar-local.</summary>
    public string? PasswordFile { get; init; }

    /// <summary>PEM file of the CA that signed the Redis server's certificate, for <c>rediss://</c> with a private CA. Sidecar-local.</summary>
    public string? CaFile { get; init; }

    /// <summary>Prefix of every key the transport writes; each member's stream is <c>&lt;prefix&gt;&lt;mesh&gt;:&lt;site&gt;</c>.</summary>
    public string? KeyPrefix { get; init; }

    /// <summary>
    /// Approximate entries a member's stream keeps (<c>XADD MAXLEN ~</c>, 1000 or more). A peer away for longer than
    /// the stream covers is repaired by anti-entropy instead.
    /// </summary>
    public long? StreamMaxLen { get; init; }
}
