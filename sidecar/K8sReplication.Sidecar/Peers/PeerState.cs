using K8sReplication.Contracts.Health;
using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Engine;

namespace K8sReplication.Sidecar.Peers;

/// <summary>
/// What this member knows about one peer, published by its tailer and anti-entropy loop and read by status,
/// readiness and metrics. Fields are written by one loop each and read racily; a snapshot may mix rounds.
/// </summary>
internal sealed class PeerState(PeerSettings settings, TimeProvider time)
{
    private readonly Lock _gate = new();
    private double? _skewMs;

    public PeerSettings Settings { get; } = settings;

    public string Name => Settings.Name;

    public CircuitBreaker Breaker { get; } = new(SidecarDefaults.PeerCircuitFailureThreshold, SidecarDefaults.PeerCircuitOpenTime, time);

    public string? Site { get; set; }

    public bool Connected { get; private set; }

    public DateTimeOffset? LastSuccess { get; private set; }

    public string? LastError { get; private set; }

    public long LagChanges { get; set; }

    public double LagSeconds { get; set; }

    public bool CatchingUp { get; set; }

    /// <summary>True once the tailer caught up once, or found the peer unreachable on its first try.</summary>
    public bool InitialCatchUpSettled { get; set; }

    public IReadOnlyList<string> SchemaMismatches { get; set; } = [];

    public AntiEntropyResult? LastAntiEntropy { get; set; }

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

    public void RecordSuccess()
    {
        Breaker.RecordSuccess();
        Connected = true;
        LastError = null;
        LastSuccess = time.GetUtcNow();
    }

    public void RecordFailure(string error)
    {
        Breaker.RecordFailure();
        Connected = false;
        LastError = error;
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
        ClockSkewMs = ClockSkewMs,
        SchemaMismatches = SchemaMismatches,
        LastAntiEntropy = LastAntiEntropy,
    };
}
