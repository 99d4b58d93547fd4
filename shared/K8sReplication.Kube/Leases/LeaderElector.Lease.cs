using K8sReplication.Kube.Client;
using K8sReplication.Kube.Models;

namespace K8sReplication.Kube.Leases;

public sealed partial class LeaderElector
{
    /// <summary>One round: create the lease if missing, take it if free or expired, renew it if ours.</summary>
    internal async Task<LeaseAttempt> TryAcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        try
        {
            var result = await AttemptAsync(cancellationToken).ConfigureAwait(false);
            LastError = null;
            return result;
        }
        catch (KubeApiException ex)
        {
            LastError = ex;
            return LeaseAttempt.Failed;
        }
    }

    private async Task<LeaseAttempt> AttemptAsync(CancellationToken cancellationToken)
    {
        var lease = await _client.TryGetAsync(ResourceTypes.Leases, _options.LeaseName, _options.LeaseNamespace, cancellationToken)
            .ConfigureAwait(false);
        var now = _time.GetUtcNow();
        if (lease is null)
        {
            var created = new Lease
            {
                Metadata = new ObjectMeta { Name = _options.LeaseName, Namespace = _options.LeaseNamespace },
                Spec = NewSpec(now, acquireTime: now, transitions: 0),
            };
            try
            {
                created = await _client.CreateAsync(ResourceTypes.Leases, created, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (KubeApiException ex) when (ex.IsConflict)
            {
                return LeaseAttempt.Failed; // another candidate created it first
            }

            Observe(created.Spec);
            return LeaseAttempt.Held;
        }

        Observe(lease.Spec);
        var holder = lease.Spec.HolderIdentity;
        var heldByOther = !string.IsNullOrEmpty(holder) && holder != _options.Identity;
        if (heldByOther && !ObservedExpired(lease.Spec))
        {
            return LeaseAttempt.HeldByOther;
        }

        var ours = holder == _options.Identity;
        lease.Spec = NewSpec(now,
            acquireTime: ours ? lease.Spec.AcquireTime ?? now : now,
            transitions: ours ? lease.Spec.LeaseTransitions ?? 0 : (lease.Spec.LeaseTransitions ?? 0) + 1);
        try
        {
            // metadata.resourceVersion is the one we read: a concurrent writer makes this fail with 409.
            var updated = await _client.ReplaceAsync(ResourceTypes.Leases, lease, cancellationToken).ConfigureAwait(false);
            Observe(updated.Spec);
            return LeaseAttempt.Held;
        }
        catch (KubeApiException ex) when (ex.IsConflict)
        {
            return LeaseAttempt.Failed;
        }
    }

    /// <summary>Clears the holder so a successor need not wait for expiry. Best effort, bounded in time.</summary>
    private async Task ReleaseAsync()
    {
        using var timeout = new CancellationTokenSource(_options.RenewDeadline, _time);
        try
        {
            var lease = await _client.TryGetAsync(ResourceTypes.Leases, _options.LeaseName, _options.LeaseNamespace, timeout.Token)
                .ConfigureAwait(false);
            if (lease is null || lease.Spec.HolderIdentity != _options.Identity)
            {
                return;
            }

            var now = _time.GetUtcNow();
            lease.Spec.HolderIdentity = null;
            lease.Spec.LeaseDurationSeconds = 1;
            lease.Spec.RenewTime = now;
            lease.Spec.AcquireTime = now;
            var updated = await _client.ReplaceAsync(ResourceTypes.Leases, lease, timeout.Token).ConfigureAwait(false);
            Observe(updated.Spec);
        }
        catch (Exception ex) when (ex is KubeApiException or OperationCanceledException)
        {
            LastError = ex; // the lease then simply expires
        }
    }

    private LeaseSpec NewSpec(DateTimeOffset now, DateTimeOffset acquireTime, int transitions) => new()
    {
        HolderIdentity = _options.Identity,
        LeaseDurationSeconds = (int)Math.Ceiling(_options.LeaseDuration.TotalSeconds),
        AcquireTime = acquireTime,
        RenewTime = now,
        LeaseTransitions = transitions,
    };

    /// <summary>Remembers when (on our monotonic clock) the lease record last changed.</summary>
    private void Observe(LeaseSpec spec)
    {
        var record = LeaseRecord.From(spec);
        lock (_gate)
        {
            if (_observed != record)
            {
                _observed = record;
                _observedAt = _time.GetTimestamp();
            }
        }

        _currentLeader = string.IsNullOrEmpty(spec.HolderIdentity) ? null : spec.HolderIdentity;
    }

    private bool ObservedExpired(LeaseSpec spec)
    {
        var duration = spec.LeaseDurationSeconds is > 0 and var seconds ? TimeSpan.FromSeconds(seconds) : _options.LeaseDuration;
        lock (_gate)
        {
            return _time.GetElapsedTime(_observedAt) >= duration;
        }
    }
}
