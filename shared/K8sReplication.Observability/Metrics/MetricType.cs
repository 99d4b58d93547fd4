namespace K8sReplication.Observability.Metrics;

/// <summary>The Prometheus metric family type an instrument is exported as.</summary>
internal enum MetricType
{
    Counter,
    Gauge,
    Histogram,
}
