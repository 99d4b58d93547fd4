using System.Collections.Concurrent;
using K8sReplication.Observability.Metrics;
using Prometheus;

namespace K8sReplication.Sidecar.Metrics;

/// <summary>
/// The sidecar's metrics (the names are part of the contract and carry their unit; label names are declared in the
/// order they are exported). Counters and the histogram are recorded by the loops, per peer through
/// <see cref="ForPeer"/>; gauges are read from state the loops publish (<see cref="ObserveState"/>,
/// <see cref="ObserveBackup"/>) just before each collection, so a scrape shows current values.
/// </summary>
internal sealed class SidecarMetrics
{
    private readonly Lock _refreshLock = new();
    private readonly ConcurrentDictionary<string, PeerMetrics> _peers = new(StringComparer.Ordinal);
    private readonly Func<string, PeerMetrics> _createPeer;
    private readonly StateGauges _stateGauges;
    private readonly Gauge _backupLastSuccess;
    private readonly Gauge _backupPending;
    private readonly Gauge _tlsExpiry;
    private readonly Counter _tlsReloads;
    private IMetricsState? _state;
    private (Func<double?> LastSuccessUnixSeconds, Func<long?> PendingChanges)? _backup;
    private (Func<double> ExpiryUnixSeconds, Func<long> Reloads, Func<long> Failures)? _tls;

    public SidecarMetrics(PrometheusMetricFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        var applied = factory.Counter("replication_changes_applied_total", "Remote changes applied, per peer.", "peer");
        var skipped = factory.Counter("replication_changes_skipped_total", "Remote changes not applied, per peer and reason (older, duplicate, future, schema).", "peer", "reason");
        var requests = factory.Counter("replication_peer_requests_total", "Requests to peers, per peer, endpoint and outcome.", "endpoint", "outcome", "peer");
        var answerBytes = factory.Counter("replication_peer_answer_bytes_total", "Bytes of accepted peer answers (decompressed), per peer and endpoint.", "endpoint", "peer");
        var rejected = factory.Counter("replication_batches_rejected_total",
            "Peer answers refused, per peer and reason (too_large, malformed, invalid, site_changed, site_taken, seq_beyond_max).", "peer", "reason");
        var rounds = factory.Counter("replication_antientropy_rounds_total", "Anti-entropy rounds, per peer and result.", "peer", "result");
        _createPeer = peer => new PeerMetrics(peer, applied, skipped, requests, answerBytes, rejected, rounds);

        Conflicts = factory.Counter("replication_conflicts_total",
            "Local writes discarded because a concurrent write won, kept in the conflict log, per table and reason.", "reason", "table");
        BatchDuration = factory.Histogram("replication_batch_duration_seconds", "Time to apply one batch.", HistogramBuckets.Seconds());
        AntiEntropyRowsRepaired = factory.Counter("replication_antientropy_rows_repaired_total", "Rows repaired by anti-entropy.");
        AntiEntropyBytes = factory.Counter("replication_antientropy_bytes_total", "Bytes received by anti-entropy rounds.");
        TombstonesCollected = factory.Counter("replication_tombstones_collected_total", "Tombstones collected (purged) because every member had applied them.");
        BackupUploads = factory.Counter("replication_backup_uploads_total",
            "Backup uploads, per kind (segment, snapshot, manifest; retention for its deletes) and outcome (ok, error).", "kind", "outcome");
        BackupBytes = factory.Counter("replication_backup_bytes_total", "Bytes uploaded to the backup archive.");
        _backupLastSuccess = factory.Gauge("replication_backup_last_success_timestamp_seconds", "Unix time of the last successful backup round (changes archived).");
        _backupPending = factory.Gauge("replication_backup_pending_changes", "Changes this member captured that are not archived yet.");
        _tlsExpiry = factory.Gauge("replication_tls_certificate_expiry_timestamp_seconds", "Unix time at which this member's TLS certificate in force expires.");
        _tlsReloads = factory.Counter("replication_tls_reloads_total", "Changes of the TLS files, per outcome (ok: swapped in; error: unusable, the certificate in force stayed).", "outcome");
        StreamBadEntries = factory.Counter("replication_stream_bad_entries_total",
            "Redis stream entries skipped, never applied, per peer and reason (hash, op, malformed, site).", "peer", "reason");
        StreamTrimmed = factory.Counter("replication_stream_trimmed_total", "Times a peer's Redis stream was trimmed past this member's cursor.", "peer");
        Feed = new FeedMetrics(
            factory.Counter("replication_feed_answers_total", "Answers of this member's change feed, per format (frames, json) and outcome (changes; empty: the long poll ended without any).", "format", "outcome"),
            factory.Counter("replication_feed_changes_served_total", "Changes sent by this member's change feed, per format.", "format"),
            factory.Counter("replication_feed_reads_total",
                "Feed pages read while answering, per source (store: read and encoded for the request; cache: shared from another reader's) and result (changes, empty).", "source", "result"));
        _stateGauges = new StateGauges(factory);
        factory.Registry.AddBeforeCollectCallback(Refresh);
    }

    /// <summary>Per table and reason; recorded only when a batch discarded local writes.</summary>
    public Counter Conflicts { get; }

    public Histogram BatchDuration { get; }

    public Counter AntiEntropyRowsRepaired { get; }

    public Counter AntiEntropyBytes { get; }

    public Counter TombstonesCollected { get; }

    public Counter BackupUploads { get; }

    public Counter BackupBytes { get; }

    public Counter StreamBadEntries { get; }

    public Counter StreamTrimmed { get; }

    /// <summary>What the change feed serves (see <see cref="FeedMetrics"/>).</summary>
    public FeedMetrics Feed { get; }

    /// <summary>The per-peer series of one peer, their labelled children cached for the loops' hot paths.</summary>
    public PeerMetrics ForPeer(string peer) => _peers.GetOrAdd(peer, _createPeer);

    /// <summary>Reads the engine's published state before each collection.</summary>
    public void ObserveState(IMetricsState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        Volatile.Write(ref _state, state);
    }

    /// <summary>Reads the backup figures before each collection; each returns null while no backup is configured (no sample then).</summary>
    public void ObserveBackup(Func<double?> lastSuccessUnixSeconds, Func<long?> pendingChanges)
    {
        ArgumentNullException.ThrowIfNull(lastSuccessUnixSeconds);
        ArgumentNullException.ThrowIfNull(pendingChanges);
        lock (_refreshLock)
        {
            _backup = (lastSuccessUnixSeconds, pendingChanges);
        }
    }

    /// <summary>Reads the TLS figures before each collection (only called when TLS is configured; no sample otherwise).</summary>
    public void ObserveTls(Func<double> expiryUnixSeconds, Func<long> reloads, Func<long> failures)
    {
        ArgumentNullException.ThrowIfNull(expiryUnixSeconds);
        ArgumentNullException.ThrowIfNull(reloads);
        ArgumentNullException.ThrowIfNull(failures);
        lock (_refreshLock)
        {
            _tls = (expiryUnixSeconds, reloads, failures);
        }
    }

    private void Refresh()
    {
        // Two scrapes may collect at once; one refresh at a time keeps the labelled gauges' series consistent.
        lock (_refreshLock)
        {
            if (Volatile.Read(ref _state) is { } state)
            {
                _stateGauges.Refresh(state);
            }

            SetOrHide(_backupLastSuccess, _backup?.LastSuccessUnixSeconds());
            SetOrHide(_backupPending, _backup?.PendingChanges());
            SetOrHide(_tlsExpiry, _tls?.ExpiryUnixSeconds());
            if (_tls is { } tls)
            {
                _tlsReloads.WithLabels("ok").IncTo(tls.Reloads());
                _tlsReloads.WithLabels("error").IncTo(tls.Failures());
            }
        }
    }

    private static void SetOrHide(Gauge gauge, double? value)
    {
        if (value is { } present)
        {
            gauge.Set(present);
        }
        else
        {
            gauge.Unpublish();
        }
    }
}
