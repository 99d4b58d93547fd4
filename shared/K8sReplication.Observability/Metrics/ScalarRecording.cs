namespace K8sReplication.Observability.Metrics;

/// <summary>How a counter or gauge instrument's measurements change its series.</summary>
internal enum ScalarRecording
{
    /// <summary>Counter / UpDownCounter: each measurement is a delta.</summary>
    Add,

    /// <summary>Gauge&lt;T&gt;: each measurement replaces the value.</summary>
    Set,

    /// <summary>Observable instruments: the value reported at the latest scrape; unreported series vanish.</summary>
    Observe,
}
