namespace K8sReplication.Contracts.Health;

/// <summary>Outcome of one anti-entropy round against one peer.</summary>
public sealed record AntiEntropyResult
{
    /// <summary><c>equal</c>, <c>repaired</c>, <c>partial</c> (budget or timeout hit), <c>skipped</c> or <c>failed</c>.</summary>
    public string Result { get; init; } = "";

    /// <summary>When the round ended (UTC).</summary>
    public DateTimeOffset At { get; init; }

    /// <summary>Rows pulled and applied.</summary>
    public long RowsRepaired { get; init; }

    /// <summary>Bytes received during the round.</summary>
    public long Bytes { get; init; }

    /// <summary>Round duration in seconds.</summary>
    public double DurationSeconds { get; init; }

    /// <summary>Error text when the round failed.</summary>
    public string? Error { get; init; }
}
