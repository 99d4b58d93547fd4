namespace K8sReplication.Bench.Suite;

/// <summary>Everything one `all` run measured, with the conditions it ran under.</summary>
internal sealed class SuiteRun
{
    public DateTimeOffset StartedAt { get; init; } = DateTimeOffset.UtcNow;

    public string Command { get; init; } = "";

    public int Repetitions { get; init; }

    public int Cores { get; init; } = Environment.ProcessorCount;

    public double LoadBefore { get; set; }

    public double LoadAfter { get; set; }

    public TimeSpan Elapsed { get; set; }

    public string Machine { get; set; } = "";

    public List<ResultRow> Rows { get; } = [];

    public List<string> Notes { get; } = [];
}
