namespace K8sReplication.Contracts.Mesh;

/// <summary>The one pattern every duration field of the CRD is validated with (what <c>Durations.TryParse</c> reads).</summary>
public static class DurationPattern
{
    /// <summary>Whole numbers with units ms, s, m, h, optionally chained (<c>1m30s</c>).</summary>
    public const string Regex = "^([0-9]+(ms|s|m|h))+$";
}
