using K8sReplication.Contracts.Health;
using K8sReplication.Observability.Metrics;
using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Metrics;
using K8sReplication.Sidecar.Pull;
using K8sReplication.Sidecar.Resilience;
using K8sReplication.Sidecar.Security;
using K8sReplication.Sidecar.Storage;
using K8sReplication.Sidecar.Streams;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Engine;

/// <summary>
/// Computes health (state, ready, healthy, peers, acceptingWrites, ...) and the gauges' values from
/// state the loops publish. No network I/O; the one database read is the conflict count of <see cref="Build"/>
/// (a count of an indexed bookkeeping table on a read connection, which the app's writes do not block); the probes
/// read nothing.
/// </summary>
internal sealed class HealthReporter(
    ReplicationEngine engine,
    LiveConfig config,
    StoreAccess replica,
    StoreStatus status,
    DatabaseCircuit databaseCircuit,
    BatchApplier applier,
    PeerSupervisor peers,
    DrainState drain,
    CertificateReloader? tls = null,
    RedisLink? redis = null,
    StreamPublisher? publisher = null) : IMetricsState
{
    public EngineState EngineState => engine.State;

    public long CapturedTotal => replica.TryGet(out var store) ? store.CapturedTotal : 0;

    public long Rows => status.Snapshot.Rows;

    public long Tombstones => status.Snapshot.Tombstones;

    public long DatabaseBytes => status.Snapshot.DatabaseBytes;

    public long WalBytes => status.Snapshot.WalBytes;

    public long CaptureBacklog => status.Snapshot.CaptureBacklog;

    /// <summary>Ready: Running, database open, local circuit closed, first catch-up done.</summary>
    public bool IsReady(out string reason)
    {
        reason = engine.State != EngineState.Running ? $"engine is {engine.State}"
            : !replica.IsOpen ? "database not open"
            : databaseCircuit.State == CircuitState.Open ? "database circuit open"
            : !peers.InitialCatchUpDone ? "initial catch-up with peers not done"
            : "";
        return reason.Length == 0;
    }

    public bool IsStarted => engine.State is EngineState.Running or EngineState.ShuttingDown;

    public SidecarHealth Build()
    {
        var settings = config.Current;
        var peerStates = peers.Peers;
        var peerHealth = peerStates.Select(p => p.ToHealth()).ToList();
        var ready = IsReady(out _);
        var snapshot = status.Snapshot;
        var errors = engine.Errors.ToList();
        var rejected = applier.RejectedFutureTotal;
        if (rejected > 0)
        {
            errors.Add($"{rejected} remote versions rejected: their clock was more than {Contracts.Config.Durations.Format(settings.MaxClockSkew)} ahead");
        }

        foreach (var peer in peerHealth.Where(p => p.Rejecting))
        {
            errors.Add($"peer {peer.Name}: its changes are refused ({peer.BatchesRejected} answers so far): {peer.LastError}");
        }

        if (peerStates.Count > 0 && peerStates.All(p => !p.Connected))
        {
            errors.Add("no peer reachable: this member is alone");
        }

        if (redis is not null && (redis.State != CircuitState.Closed || redis.LastError is not null))
        {
            errors.Add($"Redis transport unavailable (circuit {redis.State}): {redis.LastError}");
        }

        var conflicts = ConflictCount(errors);
        var last = peerHealth.Select(p => p.LastAntiEntropy).Where(r => r is not null).MaxBy(r => r!.At);
        return new SidecarHealth
        {
            State = engine.State,
            Ready = ready,
            // A member whose transport is down is not healthy: it neither publishes nor receives (the operator marks
            // the mesh Degraded; errors name Redis).
            Healthy = engine.State == EngineState.Running && databaseCircuit.State == CircuitState.Closed && redis?.State is null or not CircuitState.Open,
            PeersConnected = peerHealth.Count(p => p.Connected),
            PeersTotal = peerHealth.Count,
            AcceptingWrites = replica.IsOpen && databaseCircuit.State != CircuitState.Open,
            SiteId = replica.TryGet(out var store) ? store.Site.ToString() : "",
            NodeName = settings.NodeName,
            Mesh = settings.Mesh,
            ConfigGeneration = settings.Generation,
            PendingRestart = config.PendingRestart is { Count: > 0 } pending ? pending : null,
            MerkleRoot = snapshot.MerkleRoot,
            Rows = snapshot.Rows,
            Tombstones = snapshot.Tombstones,
            Conflicts = conflicts,
            TombstoneCollection = store is null
                ? new TombstoneCollectionHealth()
                : new TombstoneCollectionHealth
                {
                    Rounds = store.Horizons.Rounds,
                    Collected = store.Horizons.Collected,
                    Horizon = store.CollectionHorizon > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(HybridClock.ToMilliseconds(store.CollectionHorizon)) : null,
                    HeldBackBy = store.Horizons.HeldBackBy,
                },
            Tls = tls?.Current is { } material
                ? new TlsHealth
                {
                    CertificateFingerprint = Fingerprint(material.Certificate),
                    CertificateNotAfter = material.NotAfter,
                    TrustedAuthorities = [.. material.Authorities.Select(Fingerprint)],
                }
                : null,
            Backup = store?.Backup.Read() is { } backup
                ? new BackupHealth
                {
                    Url = backup.Url,
                    LastSuccessAt = backup.LastSuccessAt,
                    LastSnapshotAt = backup.LastSnapshotAt,
                    ArchivedSeq = backup.ArchivedSeq,
                    PendingChanges = backup.Pending,
                    LastError = backup.LastError,
                }
                : null,
            Redis = redis is null
                ? null
                : new RedisTransportHealth
                {
                    Url = redis.Settings.Display,
                    Connected = redis.Connected,
                    Circuit = redis.State,
                    LastError = redis.LastError,
                    PublishedSeq = publisher?.Published ?? 0,
                },
            Storage = new StorageHealth
            {
                DatabaseBytes = snapshot.DatabaseBytes,
                WalBytes = snapshot.WalBytes,
                Versions = snapshot.Rows + snapshot.Tombstones,
                CaptureBacklog = snapshot.CaptureBacklog,
            },
            SchemaHashes = snapshot.SchemaHashes,
            DatabaseCircuit = databaseCircuit.State,
            InitialCatchUpDone = peers.InitialCatchUpDone,
            Peers = peerHealth,
            LastAntiEntropy = last,
            Errors = errors,
            RejectedFutureVersions = rejected,
            StartedAt = engine.StartedAt,
            Draining = drain.Draining,
            UndeliveredChanges = drain.Draining ? drain.Undelivered : null,
        };
    }

    /// <summary>SHA-256 of the DER certificate, lower-case hex: what the operator compares with the certificates it issued.</summary>
    private static string Fingerprint(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(certificate.RawData));

    /// <summary>Entries in the conflict log; 0 while the store is closed, or when it cannot be read (said in errors).</summary>
    private long ConflictCount(List<string> errors)
    {
        if (!replica.TryGet(out var store))
        {
            return 0;
        }

        try
        {
            return store.ConflictCount();
        }
        catch (SqliteException e)
        {
            errors.Add("conflict log unreadable: " + e.Message);
            return 0;
        }
    }

    public IEnumerable<GaugeSample> PeerCounts()
    {
        var all = peers.Peers;
        var connected = all.Count(p => p.Connected);
        yield return GaugeSample.Of(connected, "connected");
        yield return GaugeSample.Of(all.Count - connected, "disconnected");
    }

    public IEnumerable<GaugeSample> LagSeconds() => peers.Peers.Select(p => GaugeSample.Of(p.LagSeconds, p.Name));

    public IEnumerable<GaugeSample> LagChanges() => peers.Peers.Select(p => GaugeSample.Of(p.LagChanges, p.Name));

    public IEnumerable<GaugeSample> CircuitStates()
    {
        yield return GaugeSample.Of((int)databaseCircuit.State, "database");
        if (redis is not null)
        {
            yield return GaugeSample.Of((int)redis.State, "redis");
        }

        foreach (var p in peers.Peers)
        {
            yield return GaugeSample.Of((int)p.Breaker.State, "peer:" + p.Name);
        }
    }

    public IEnumerable<GaugeSample> SchemaMismatches() =>
        peers.Peers.SelectMany(p => p.SchemaMismatches.Select(t => GaugeSample.Of(1, p.Name, t)));
}
