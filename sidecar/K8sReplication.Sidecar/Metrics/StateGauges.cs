using K8sReplication.Observability.Metrics;
using Prometheus;

namespace K8sReplication.Sidecar.Metrics;

/// <summary>The sidecar's gauges (and its captured-changes counter) over the engine's published state, set before each collection.</summary>
internal sealed class StateGauges(PrometheusMetricFactory factory)
{
    private readonly Gauge _engineState = factory.Gauge("replication_engine_state", "Engine state: 0 Created, 1 Starting, 2 Running, 3 ShuttingDown, 4 Stopped, 5 Failed.");
    private readonly ObservedGauge _peers = new(factory.Gauge("replication_peers", "Configured peers by connection state.", "state"));
    private readonly Counter _captured = factory.Counter("replication_changes_captured_total", "Local app changes captured.");
    private readonly ObservedGauge _lagSeconds = new(factory.Gauge("replication_lag_seconds", "Age of the oldest change not applied yet, per peer.", "peer"));
    private readonly ObservedGauge _lagChanges = new(factory.Gauge("replication_lag_changes", "Changes a peer holds that are not applied yet, per peer.", "peer"));
    private readonly ObservedGauge _circuits = new(factory.Gauge("replication_circuit_state", "Circuit breaker state: 0 closed, 1 open, 2 half-open.", "circuit"));
    private readonly Gauge _rows = factory.Gauge("replication_rows", "Live replicated rows.");
    private readonly Gauge _tombstones = factory.Gauge("replication_tombstones", "Tombstones kept.");
    private readonly Gauge _databaseBytes = factory.Gauge("replication_database_bytes", "Length of the database file.");
    private readonly Gauge _walBytes = factory.Gauge("replication_wal_bytes", "Length of the database's WAL file.");
    private readonly Gauge _captureBacklog = factory.Gauge("replication_capture_backlog", "App changes captured but not folded into versions yet.");
    private readonly ObservedGauge _schemaMismatches = new(factory.Gauge("replication_schema_mismatch", "1 when a table's schema differs from a peer's.", "peer", "table"));

    public void Refresh(IMetricsState state)
    {
        _engineState.Set((int)state.EngineState);
        _peers.Refresh(state.PeerCounts());
        _captured.IncTo(state.CapturedTotal);
        _lagSeconds.Refresh(state.LagSeconds());
        _lagChanges.Refresh(state.LagChanges());
        _circuits.Refresh(state.CircuitStates());
        _rows.Set(state.Rows);
        _tombstones.Set(state.Tombstones);
        _databaseBytes.Set(state.DatabaseBytes);
        _walBytes.Set(state.WalBytes);
        _captureBacklog.Set(state.CaptureBacklog);
        _schemaMismatches.Refresh(state.SchemaMismatches());
    }
}
