namespace K8sReplication.Sidecar.Configuration;

/// <summary>
/// Validated Redis transport settings. A class, not a record: its password must never reach a log line or a status
/// through a generated <c>ToString</c>; <see cref="Display"/> is the URL without it.
/// </summary>
internal sealed class RedisSettings
{
    public required string Host { get; init; }

    public required int Port { get; init; }

    /// <summary>True for <c>rediss://</c>.</summary>
    public bool Tls { get; init; }

    public string? User { get; init; }

    /// <summary>The password from the URL; <see cref="PasswordFile"/>, read at each connect, wins over it.</summary>
    public string? Password { get; init; }

    public string? PasswordFile { get; init; }

    /// <summary>PEM of a private CA the server's certificate must chain to, or null for the system's roots.</summary>
    public string? CaFile { get; init; }

    public int Database { get; init; }

    public required string KeyPrefix { get; init; }

    public long StreamMaxLen { get; init; }

    /// <summary>The URL with any password replaced by <c>***</c>: safe for logs and status.</summary>
    public required string Display { get; init; }

    /// <summary>This member's stream (and each peer's, by its site): <c>&lt;prefix&gt;&lt;mesh&gt;:&lt;site&gt;</c>.</summary>
    public string StreamKey(string mesh, string site) => KeyPrefix + mesh + ":" + site;

    public override string ToString() => Display;
}
