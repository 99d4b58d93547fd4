namespace K8sReplication.Contracts.Config;

/// <summary>Tunables of the hot path (peers tailing each other's change feeds). Null means the default.</summary>
public sealed record HotPathConfig
{
    /// <summary>Default of <see cref="BatchSize"/>.</summary>
    public const int DefaultBatchSize = 1000;

    /// <summary>Default of <see cref="Wait"/>.</summary>
    public const string DefaultWait = "10s";

    /// <summary>Largest number of changes fetched and applied in one batch (1–10000).</summary>
    public int? BatchSize { get; init; }

    /// <summary>Long-poll wait of a change-feed request (duration, 0s–60s).</summary>
    public string? Wait { get; init; }
}
