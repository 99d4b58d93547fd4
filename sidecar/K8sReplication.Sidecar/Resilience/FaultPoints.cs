namespace K8sReplication.Sidecar.Resilience;

/// <summary>
/// Named faults tests switch on through <c>K8SREPL_FAULTS</c> (comma separated). Honoured only in Debug builds,
/// so a release image can never be put into a fault mode by its environment.
/// </summary>
internal static class FaultPoints
{
    public const string Variable = "K8SREPL_FAULTS";

    /// <summary>Tailers do not run: only anti-entropy moves data.</summary>
    public const string HotPathOff = "hotpath-off";

    /// <summary>The feed answers JSON whatever format is asked for, as members of versions before the binary feed do.</summary>
    public const string FeedJsonOnly = "feed-json-only";

    /// <summary>The feed speaks only the binary format's first version, as members of versions before the second do.</summary>
    public const string FeedVersion1Only = "feed-version1-only";

    public static bool IsOn(string fault)
    {
#if DEBUG
        var faults = Environment.GetEnvironmentVariable(Variable);
        return faults is not null && faults.Split(',', StringSplitOptions.TrimEntries).Contains(fault, StringComparer.Ordinal);
#else
        _ = fault;
        return false;
#endif
    }
}
