namespace K8sReplication.Observability.Metrics;

/// <summary>Bucket upper bounds shared by the duration histograms (the <c>le</c> values are part of the metric contract).</summary>
public static class HistogramBuckets
{
    /// <summary>1 ms to 1 min, in seconds.</summary>
    public static double[] Seconds() => [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
}
