namespace K8sReplication.Contracts.Config;

/// <summary>Tunables of the cold path (Merkle-tree anti-entropy). Null means the default.</summary>
public sealed record AntiEntropyConfig
{
    /// <summary>Default of <see cref="Interval"/>.</summary>
    public const string DefaultInterval = "30s";

    /// <summary>Default of <see cref="Budget"/>.</summary>
    public const int DefaultBudget = 100_000;

    /// <summary>Default of <see cref="Timeout"/>.</summary>
    public const string DefaultTimeout = "60s";

    /// <summary>Time between rounds against one peer (duration, jittered).</summary>
    public string? Interval { get; init; }

    /// <summary>Largest number of rows one round may repair; the rest waits for the next round.</summary>
    public int? Budget { get; init; }

    /// <summary>Deadline of one round (duration).</summary>
    public string? Timeout { get; init; }
}
