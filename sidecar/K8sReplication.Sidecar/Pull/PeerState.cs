using K8sReplication.Contracts.Health;
using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Resilience;

namespace K8sReplication.Sidecar.Pull;

/// <summary>
/// What this member knows about one peer, published by its tailer and anti-entropy loop and read by status,
/// readiness and metrics. Fields are written by one loop each and read racily; a snapshot may mix rounds.
/// </summary>
/// <param name="settings">The peer as configured.</param>
/// <param name="time">The clock of the breaker and of the peer's timestamps.</param>
/// <param name="inflow">This member's deliveries from every peer, shared by all their states.</param>
internal sealed class PeerState(PeerSettings settings, TimeProvider time, FeedInflow inflow)
{
    private readonly Lock _gate = new();
    private readonly (string Message, DateTimeOffset At)?[] _errors = new (string, DateTimeOffset)?[2];
    private double? _skewMs;
    private long _batchesRejected;
    private DateTimeOffset? _rejectingSince;

    public PeerSettings Settings { get; } = settings;

    public string Name => Settings.Name;

    public CircuitBreaker Breaker { get; } = new(SidecarDefaults.PeerCircuitFailureThreshold, SidecarDefaults.PeerCircuitOpenTime, time);

    public string? Site { get; set; }

    public bool Connected { get; private set; }

    public DateTimeOffset? LastSuccess
    {
        get
        {
            lock (_gate)
            {
                return field;
            }
        }

        private set
        {
            lock (_gate)
            {
                field = value;
            }
        }
    }

    /// <summary>
    /// The newest error of any activity still unresolved: an activity's error stays until that same activity succeeds
    /// again (an anti-entropy round does not wipe a refused feed batch, nor a schema handshake a refused apply).
    /// </summary>
    public string? LastError
    {
        get
        {
            lock (_gate)
            {
                return _errors.Where(e => e is not null).MaxBy(e => e!.Value.At)?.Message;
            }
        }
    }

    public long LagChanges { get; set; }

    /// <summary>
    /// Lag as the tailer last measured it; while the peer's batches are refused, at least the time since the first
    /// refusal (nothing from it is being applied, so lag is never reported as zero then).
    /// </summary>
    public double LagSeconds
    {
        get
        {
            lock (_gate)
            {
                return _rejectingSince is { } since ? Math.Max(field, (time.GetUtcNow() - since).TotalSeconds) : field;
            }
        }

        set
        {
            lock (_gate)
            {
                field = value;
            }
        }
    }

    /// <summary>True while the peer's latest feed answer was refused (see <see cref="RecordRejected"/>).</summary>
    public bool Rejecting
    {
        get
        {
            lock (_gate)
            {
                return _rejectingSince is not null;
            }
        }
    }

    /// <summary>Answers refused from this peer since start (every activity).</summary>
    public long BatchesRejected => Interlocked.Read(ref _batchesRejected);

    public bool CatchingUp { get; set; }

    /// <summary>This member applied a non-empty batch of the peer's changes from its feed (HTTP or stream).</summary>
    public void RecordDelivery() => inflow.Record();

    /// <summary>
    /// Whether this member applied changes from this peer's feed or any other's within <paramref name="window"/>:
    /// writes are reaching it by the hot path right now, so its tree and this peer's differ by what is in flight
    /// (see <see cref="FeedInflow"/>).
    /// </summary>
    public bool DeliveredWithin(TimeSpan window) => inflow.Within(window);

    /// <summary>True once the tailer caught up once, or found the peer unreachable on its first try.</summary>
    public bool InitialCatchUpSettled { get; set; }

    public IReadOnlyList<string> SchemaMismatches { get; set; } = [];

    public AntiEntropyResult? LastAntiEntropy { get; set; }

    /// <summary>See PeerHealth.LastResync.</summary>
    public string? LastResync { get; set; }

    /// <summary>The last time this peer's Redis stream was trimmed past this member's cursor, and what was done.</summary>
    public string? LastTrim { get; set; }

    public double? ClockSkewMs
    {
        get
        {
            lock (_gate)
            {
                return _skewMs;
            }
        }
    }

    /// <summary>The peer answered (transport works); clears nothing else.</summary>
    public void RecordReachable()
    {
        Breaker.RecordSuccess();
        Connected = true;
        LastSuccess = time.GetUtcNow();
    }

    /// <summary>An activity completed: its own error (and, for the feed, the refusal state) is over.</summary>
    public void RecordSuccess(PeerActivity activity)
    {
        RecordReachable();
        lock (_gate)
        {
            _errors[(int)activity] = null;
            if (activity == PeerActivity.Feed)
            {
                _rejectingSince = null;
            }
        }
    }

    /// <summary>The peer could not be reached or failed to answer.</summary>
    public void RecordFailure(PeerActivity activity, string error)
    {
        Breaker.RecordFailure();
        Connected = false;
        SetError(activity, error);
    }

    /// <summary>
    /// The peer answered with something refused. It stays connected (the transport works) but counts against its
    /// circuit, so a peer that keeps sending garbage is asked less and less often.
    /// </summary>
    public void RecordRejected(PeerActivity activity, string error)
    {
        Breaker.RecordFailure();
        Interlocked.Increment(ref _batchesRejected);
        SetError(activity, error);
        if (activity == PeerActivity.Feed)
        {
            lock (_gate)
            {
                _rejectingSince ??= time.GetUtcNow();
            }
        }
    }

    private void SetError(PeerActivity activity, string error)
    {
        lock (_gate)
        {
            _errors[(int)activity] = (error, time.GetUtcNow());
        }
    }

    /// <summary>Folds one estimate (peer wall clock minus ours at the request's midpoint) into a moving average.</summary>
    public void ObserveSkew(double skewMs)
    {
        lock (_gate)
        {
            _skewMs = _skewMs is { } old ? (old * 0.8) + (skewMs * 0.2) : skewMs;
        }
    }

    public PeerHealth ToHealth() => new()
    {
        Name = Name,
        Url = Settings.Url.ToString(),
        Site = Site,
        Connected = Connected,
        Circuit = Breaker.State,
        LagChanges = LagChanges,
        LagSeconds = LagSeconds,
        CatchingUp = CatchingUp,
        LastSuccess = LastSuccess,
        LastError = LastError,
        Rejecting = Rejecting,
        BatchesRejected = BatchesRejected,
        ClockSkewMs = ClockSkewMs,
        SchemaMismatches = SchemaMismatches,
        LastAntiEntropy = LastAntiEntropy,
        LastResync = LastResync,
        LastTrim = LastTrim,
    };
}
