using k8s;

namespace K8sReplication.Kube.Leases;

/// <summary>
/// Leader election on a coordination.k8s.io/v1 Lease (typed <c>V1Lease</c> calls of the official client), following
/// client-go: a lease is expired when its record
/// (holder, renewTime, ...) has not changed for LeaseDuration as measured on OUR monotonic clock since we last saw it
/// change — never by comparing our wall clock with the writer's. Every write carries the resourceVersion that was read,
/// so two candidates racing for an expired lease cannot both win (the loser gets 409).
/// </summary>
public sealed partial class LeaderElector
{
    private readonly IKubernetes _client;
    private readonly LeaderElectionOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private LeaseRecord? _observed;
    private long _observedAt;
    private CancellationTokenSource? _leadership;
    private volatile bool _isLeader;
    private volatile string? _currentLeader;

    public LeaderElector(IKubernetes client, LeaderElectionOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid leader election options: " + string.Join("; ", errors), nameof(options));
        }

        _client = client;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Raised (on the election loop) when this candidate becomes leader.</summary>
    public event EventHandler<LeadershipEventArgs>? StartedLeading;

    /// <summary>Raised when leadership ends: lost, renew deadline passed, or released on shutdown.</summary>
    public event EventHandler? StoppedLeading;

    public bool IsLeader => _isLeader;

    /// <summary>The holder last observed on the lease (null when free or unknown).</summary>
    public string? CurrentLeader => _currentLeader;

    public string Identity => _options.Identity;

    /// <summary>The last error of an acquire/renew round (cleared on success), for health reporting.</summary>
    public Exception? LastError { get; private set; }

    /// <summary>Campaigns, leads and renews until cancelled; then releases the lease if held (ReleaseOnCancel).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                while (await TryAcquireOrRenewAsync(cancellationToken).ConfigureAwait(false) != LeaseAttempt.Held)
                {
                    await Task.Delay(Jittered(_options.RetryPeriod), _time, cancellationToken).ConfigureAwait(false);
                }

                BecomeLeader();
                await RenewWhileLeadingAsync(cancellationToken).ConfigureAwait(false);
                StepDown();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // shutdown
        }
        finally
        {
            if (_isLeader)
            {
                if (_options.ReleaseOnCancel)
                {
                    await ReleaseAsync().ConfigureAwait(false);
                }

                StepDown();
            }
        }
    }

    private async Task RenewWhileLeadingAsync(CancellationToken cancellationToken)
    {
        var lastRenew = _time.GetTimestamp();
        while (true)
        {
            await Task.Delay(_options.RetryPeriod, _time, cancellationToken).ConfigureAwait(false);
            var attempt = await TryAcquireOrRenewAsync(cancellationToken).ConfigureAwait(false);
            if (attempt == LeaseAttempt.Held)
            {
                lastRenew = _time.GetTimestamp();
                continue;
            }

            // Someone else holds it now, or we could not renew in time: others may take over after LeaseDuration,
            // so stop acting as leader before that can happen.
            if (attempt == LeaseAttempt.HeldByOther || _time.GetElapsedTime(lastRenew) >= _options.RenewDeadline)
            {
                return;
            }
        }
    }

    private void BecomeLeader()
    {
        CancellationTokenSource leadership;
        lock (_gate)
        {
            _leadership?.Dispose();
            _leadership = leadership = new CancellationTokenSource();
            _isLeader = true;
        }

        StartedLeading?.Invoke(this, new LeadershipEventArgs(leadership.Token));
    }

    private void StepDown()
    {
        lock (_gate)
        {
            if (!_isLeader)
            {
                return;
            }

            _isLeader = false;
            _leadership?.Cancel();
        }

        StoppedLeading?.Invoke(this, EventArgs.Empty);
    }

    private static TimeSpan Jittered(TimeSpan period) => period * (1 + (Random.Shared.NextDouble() * 0.2));
}
