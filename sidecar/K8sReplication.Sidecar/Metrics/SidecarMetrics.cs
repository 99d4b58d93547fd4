using System.Diagnostics.Metrics;

namespace K8sReplication.Sidecar.Metrics;

/// <summary>
/// The sidecar's instruments (the names are part of the contract and carry their unit). Counters and
/// histograms are recorded by the loops; gauges are observed from state the loops publish, through the
/// callbacks registered with <see cref="ObserveState"/>.
/// </summary>
internal sealed class SidecarMetrics
{
    public const string MeterName = "K8sReplication.Sidecar";

    private readonly Meter _meter;

    public SidecarMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        ChangesApplied = _meter.CreateCounter<long>("replication_changes_applied_total", description: "Remote changes applied, per peer.");
        ChangesSkipped = _meter.CreateCounter<long>("replication_changes_skipped_total", description: "Remote changes not applied, per peer and reason (older, duplicate, future, schema).");
        Conflicts = _meter.CreateCounter<long>("replication_conflicts_total", description: "Local writes discarded because a concurrent write won, kept in the conflict log, per table and reason.");
        BatchDuration = _meter.CreateHistogram<double>("replication_batch_duration_seconds", unit: "s", description: "Time to apply one batch.");
        PeerRequests = _meter.CreateCounter<long>("replication_peer_requests_total", description: "Requests to peers, per peer, endpoint and outcome.");
        AntiEntropyRounds = _meter.CreateCounter<long>("replication_antientropy_rounds_total", description: "Anti-entropy rounds, per peer and result.");
        AntiEntropyRowsRepaired = _meter.CreateCounter<long>("replication_antientropy_rows_repaired_total", description: "Rows repaired by anti-entropy.");
        BatchesRejected = _meter.CreateCounter<long>("replication_batches_rejected_total", description: "Peer answers refused, per peer and reason (too_large, malformed, invalid, site_changed, site_taken, seq_beyond_max).");
        PeerAnswerBytes = _meter.CreateCounter<long>("replication_peer_answer_bytes_total", unit: "By", description: "Bytes of accepted peer answers (decompressed), per peer and endpoint.");
        TombstonesCollected = _meter.CreateCounter<long>("replication_tombstones_collected_total",
            description: "Tombstones collected (purged) because every member had applied them.");
        AntiEntropyBytes = _meter.CreateCounter<long>("replication_antientropy_bytes_total", unit: "By", description: "Bytes received by anti-entropy rounds.");
        BackupUploads = _meter.CreateCounter<long>("replication_backup_uploads_total",
            description: "Backup uploads, per kind (segment, snapshot, manifest; retention for its deletes) and outcome (ok, error).");
        BackupBytes = _meter.CreateCounter<long>("replication_backup_bytes_total", unit: "By", description: "Bytes uploaded to the backup archive.");
    }

    public Counter<long> BackupUploads { get; }

    public Counter<long> BackupBytes { get; }

    /// <summary>Registers the backup gauges; each callback returns null while no backup is configured (no sample then).</summary>
    public void ObserveBackup(Func<double?> lastSuccessUnixSeconds, Func<long?> pendingChanges)
    {
        ArgumentNullException.ThrowIfNull(lastSuccessUnixSeconds);
        ArgumentNullException.ThrowIfNull(pendingChanges);
        _meter.CreateObservableGauge("replication_backup_last_success_timestamp_seconds",
            () => lastSuccessUnixSeconds() is { } at ? [new Measurement<double>(at)] : Array.Empty<Measurement<double>>(), unit: "s",
            description: "Unix time of the last successful backup round (changes archived).");
        _meter.CreateObservableGauge("replication_backup_pending_changes",
            () => pendingChanges() is { } pending ? [new Measurement<long>(pending)] : Array.Empty<Measurement<long>>(),
            description: "Changes this member captured that are not archived yet.");
    }

    public Counter<long> ChangesApplied { get; }

    public Counter<long> ChangesSkipped { get; }

    public Counter<long> Conflicts { get; }

    public Counter<long> TombstonesCollected { get; }

    public Histogram<double> BatchDuration { get; }

    public Counter<long> PeerRequests { get; }

    public Counter<long> AntiEntropyRounds { get; }

    public Counter<long> AntiEntropyRowsRepaired { get; }

    public Counter<long> AntiEntropyBytes { get; }

    public Counter<long> BatchesRejected { get; }

    public Counter<long> PeerAnswerBytes { get; }

    /// <summary>Registers the observable instruments over the engine's published state.</summary>
    public void ObserveState(IMetricsState state)
    {
        _meter.CreateObservableGauge("replication_engine_state", () => (int)state.EngineState, description: "Engine state: 0 Created, 1 Starting, 2 Running, 3 ShuttingDown, 4 Stopped, 5 Failed.");
        _meter.CreateObservableGauge("replication_peers", state.PeerCounts, description: "Configured peers by connection state.");
        _meter.CreateObservableCounter("replication_changes_captured_total", () => state.CapturedTotal, description: "Local app changes captured.");
        _meter.CreateObservableGauge("replication_lag_seconds", state.LagSeconds, unit: "s", description: "Age of the oldest change not applied yet, per peer.");
        _meter.CreateObservableGauge("replication_lag_changes", state.LagChanges, description: "Changes a peer holds that are not applied yet, per peer.");
        _meter.CreateObservableGauge("replication_circuit_state", state.CircuitStates, description: "Circuit breaker state: 0 closed, 1 open, 2 half-open.");
        _meter.CreateObservableGauge("replication_rows", () => state.Rows, description: "Live replicated rows.");
        _meter.CreateObservableGauge("replication_tombstones", () => state.Tombstones, description: "Tombstones kept.");
        _meter.CreateObservableGauge("replication_database_bytes", () => state.DatabaseBytes, unit: "By", description: "Length of the database file.");
        _meter.CreateObservableGauge("replication_wal_bytes", () => state.WalBytes, unit: "By", description: "Length of the database's WAL file.");
        _meter.CreateObservableGauge("replication_capture_backlog", () => state.CaptureBacklog, description: "App changes captured but not folded into versions yet.");
        _meter.CreateObservableGauge("replication_schema_mismatch", state.SchemaMismatches, description: "1 when a table's schema differs from a peer's.");
    }
}
