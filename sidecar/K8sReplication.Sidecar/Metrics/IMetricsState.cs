using System.Diagnostics.Metrics;
using K8sReplication.Contracts.Health;

namespace K8sReplication.Sidecar.Metrics;

/// <summary>State the observable instruments read (published by the engine; reads are cheap and lock-light).</summary>
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

    IEnumerable<Measurement<int>> PeerCounts();

    IEnumerable<Measurement<double>> LagSeconds();

    IEnumerable<Measurement<long>> LagChanges();

    IEnumerable<Measurement<int>> CircuitStates();

    IEnumerable<Measurement<int>> SchemaMismatches();
}
