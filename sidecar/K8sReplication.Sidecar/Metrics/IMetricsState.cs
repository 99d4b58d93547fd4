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

    IEnumerable<Measurement<int>> PeerCounts();

    IEnumerable<Measurement<double>> LagSeconds();

    IEnumerable<Measurement<long>> LagChanges();

    IEnumerable<Measurement<int>> CircuitStates();

    IEnumerable<Measurement<int>> SchemaMismatches();
}
