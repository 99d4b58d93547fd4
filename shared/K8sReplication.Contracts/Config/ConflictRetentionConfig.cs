namespace K8sReplication.Contracts.Config;

/// <summary>
/// How long and how many conflict-log entries a member keeps (the writes it discarded because a concurrent write won,
/// served at <c>GET /v1/conflicts</c>). The oldest go first. Null means the default.
/// </summary>
public sealed record ConflictRetentionConfig
{
    /// <summary>Default of <see cref="MaxAge"/>.</summary>
    public const string DefaultMaxAge = "168h";

    /// <summary>Default of <see cref="MaxEntries"/>.</summary>
    public const int DefaultMaxEntries = 100_000;

    /// <summary>Largest accepted <see cref="MaxEntries"/>.</summary>
    public const int MaxMaxEntries = 10_000_000;

    /// <summary>Entries older than this are deleted (duration, 1m to 3650 days).</summary>
    public string? MaxAge { get; init; }

    /// <summary>Only the newest this many entries are kept (1 to 10,000,000).</summary>
    public int? MaxEntries { get; init; }
}
