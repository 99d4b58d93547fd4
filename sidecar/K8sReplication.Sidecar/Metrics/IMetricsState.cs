using K8sReplication.Contracts.Health;
using K8sReplication.Observability.Metrics;

namespace K8sReplication.Sidecar.Metrics;

/// <summary>State the gauges read before each collection (published by the engine; reads are cheap and lock-light).</summary>
internal interface IMetricsState
{
    EngineState EngineState { get; }

    long CapturedTotal { get; }

    long Rows { get; }

    long Tombstones { get; }

    /// <summary>Length of the database file in bytes.</summary>
    long DatabaseBytes { get; }

    /// <summary>Length of the WAL file in bytes.</summary>
    long WalBytes { get; }

    /// <summary>Captures not folded into versions yet.</summary>
    long CaptureBacklog { get; }

    /// <summary>Label <c>state</c>.</summary>
    IEnumerable<GaugeSample> PeerCounts();

    /// <summary>Label <c>peer</c>.</summary>
    IEnumerable<GaugeSample> LagSeconds();

    /// <summary>Label <c>peer</c>.</summary>
    IEnumerable<GaugeSample> LagChanges();

    /// <summary>Label <c>circuit</c>.</summary>
    IEnumerable<GaugeSample> CircuitStates();

    /// <summary>Labels <c>peer</c>, <c>table</c>.</summary>
    IEnumerable<GaugeSample> SchemaMismatches();
}
