using K8sReplication.Contracts.Health;

namespace K8sReplication.Sidecar.Resilience;

/// <summary>
/// Classic three-state breaker: opens after <c>threshold</c> consecutive failures, lets one probe through once
/// <c>openTime</c> has passed (half-open), closes on the probe's success and re-opens on its failure.
/// Thread-safe; time from <see cref="TimeProvider"/> (monotonic timestamps).
/// </summary>
internal class CircuitBreaker(int threshold, TimeSpan openTime, TimeProvider time)
{
    private readonly Lock _gate = new();
    private int _failures;
    private long _openedAt;
    private CircuitState _state = CircuitState.Closed;
    private bool _probeInFlight;
    private long _probesGranted;

    public CircuitState State
    {
        get
        {
            lock (_gate)
            {
                return Peek();
            }
        }
    }

    public int ConsecutiveFailures
    {
        get
        {
            lock (_gate)
            {
                return _failures;
            }
        }
    }

    /// <summary>True when a request may be attempted now; in half-open state only one caller gets true.</summary>
    public bool TryAcquire() => TryAcquire(out _);

    /// <summary>
    /// True when a request may be attempted now; in half-open state only one caller gets true, with
    /// <paramref name="probe"/> set. The probe keeps every other caller out until its holder settles it: with
    /// <see cref="RecordSuccess"/> or <see cref="RecordFailure"/> once the guarded call answered or failed, or with
    /// <see cref="ReleaseProbe()"/> when it ends without having tested what the breaker guards.
    /// </summary>
    public bool TryAcquire(out bool probe)
    {
        lock (_gate)
        {
            probe = false;
            switch (Peek())
            {
                case CircuitState.Closed:
                    return true;
                case CircuitState.HalfOpen when !_probeInFlight:
                    _state = CircuitState.HalfOpen;
                    _probeInFlight = true;
                    _probesGranted++;
                    probe = true;
                    return true;
                default:
                    return false;
            }
        }
    }

    /// <summary>
    /// Gives back a half-open probe that tested nothing (its holder failed before or beside the guarded call): the
    /// breaker stays half-open and the next caller probes. A probe neither recorded nor given back would keep every
    /// caller out for good.
    /// </summary>
    public void ReleaseProbe()
    {
        lock (_gate)
        {
            if (_state == CircuitState.HalfOpen)
            {
                _probeInFlight = false;
            }
        }
    }

    /// <summary>
    /// How many half-open probes were granted so far. Read right after <see cref="TryAcquire(out bool)"/> granted one, it
    /// numbers that probe (no other can be granted while it is in flight) for <see cref="ReleaseProbe(long)"/>.
    /// </summary>
    public long ProbesGranted
    {
        get
        {
            lock (_gate)
            {
                return _probesGranted;
            }
        }
    }

    /// <summary>
    /// <see cref="ReleaseProbe()"/> for a holder that cannot tell whether a verdict settled its probe meanwhile: gives
    /// the probe back only while probe number <paramref name="grant"/> is still the one in flight, never a later one.
    /// </summary>
    public void ReleaseProbe(long grant)
    {
        lock (_gate)
        {
            if (InFlight(grant))
            {
                _probeInFlight = false;
            }
        }
    }

    /// <summary>True while probe number <paramref name="grant"/> is granted and not settled yet.</summary>
    public bool IsProbeInFlight(long grant)
    {
        lock (_gate)
        {
            return InFlight(grant);
        }
    }

    /// <summary>Time until a half-open probe is allowed (zero when not open).</summary>
    public TimeSpan RemainingOpenTime
    {
        get
        {
            lock (_gate)
            {
                return _state == CircuitState.Open
                    ? openTime - time.GetElapsedTime(_openedAt) is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero
                    : TimeSpan.Zero;
            }
        }
    }

    public void RecordSuccess()
    {
        lock (_gate)
        {
            _failures = 0;
            _probeInFlight = false;
            _state = CircuitState.Closed;
        }
    }

    public void RecordFailure()
    {
        lock (_gate)
        {
            _failures++;
            if (_state == CircuitState.HalfOpen || _failures >= threshold)
            {
                _state = CircuitState.Open;
                _openedAt = time.GetTimestamp();
            }

            _probeInFlight = false;
        }
    }

    private bool InFlight(long grant) => grant > 0 && _state == CircuitState.HalfOpen && _probeInFlight && _probesGranted == grant;

    private CircuitState Peek() =>
        _state == CircuitState.Open && time.GetElapsedTime(_openedAt) >= openTime ? CircuitState.HalfOpen : _state;
}
