using k8s;
using k8s.Autorest;
using k8s.Models;
using K8sReplication.Kube.Client;

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
        catch (Exception ex) when (ex is HttpOperationException or HttpRequestException
                                   || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LastError = ex;
            return LeaseAttempt.Failed;
        }
    }

    private async Task<LeaseAttempt> AttemptAsync(CancellationToken cancellationToken)
    {
        var lease = await TryReadAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow().UtcDateTime;
        if (lease is null)
        {
            var created = new V1Lease
            {
                Metadata = new V1ObjectMeta { Name = _options.LeaseName, NamespaceProperty = _options.LeaseNamespace },
                Spec = NewSpec(now, acquireTime: now, transitions: 0),
            };
            try
            {
                created = await _client.CoordinationV1.CreateNamespacedLeaseAsync(created, _options.LeaseNamespace, cancellationToken: cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (HttpOperationException ex) when (ex.IsConflict())
            {
                return LeaseAttempt.Failed; // another candidate created it first
            }

            Observe(created.Spec);
            return LeaseAttempt.Held;
        }

        lease.Spec ??= new V1LeaseSpec();
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
            var updated = await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, _options.LeaseName, _options.LeaseNamespace,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            Observe(updated.Spec);
            return LeaseAttempt.Held;
        }
        catch (HttpOperationException ex) when (ex.IsConflict())
        {
            return LeaseAttempt.Failed;
        }
    }

    private async Task<V1Lease?> TryReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _client.CoordinationV1.ReadNamespacedLeaseAsync(_options.LeaseName, _options.LeaseNamespace, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
        }
        catch (HttpOperationException ex) when (ex.IsNotFound())
        {
            return null;
        }
    }

    /// <summary>Clears the holder so a successor need not wait for expiry. Best effort, bounded in time.</summary>
    private async Task ReleaseAsync()
    {
        using var timeout = new CancellationTokenSource(_options.RenewDeadline, _time);
        try
        {
            var lease = await TryReadAsync(timeout.Token).ConfigureAwait(false);
            if (lease?.Spec is null || lease.Spec.HolderIdentity != _options.Identity)
            {
                return;
            }

            var now = _time.GetUtcNow().UtcDateTime;
            lease.Spec.HolderIdentity = null;
            lease.Spec.LeaseDurationSeconds = 1;
            lease.Spec.RenewTime = now;
            lease.Spec.AcquireTime = now;
            var updated = await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, _options.LeaseName, _options.LeaseNamespace,
                cancellationToken: timeout.Token).ConfigureAwait(false);
            Observe(updated.Spec);
        }
        catch (Exception ex) when (ex is HttpOperationException or HttpRequestException or OperationCanceledException)
        {
            LastError = ex; // the lease then simply expires
        }
    }

    private V1LeaseSpec NewSpec(DateTime now, DateTime acquireTime, int transitions) => new()
    {
        HolderIdentity = _options.Identity,
        LeaseDurationSeconds = (int)Math.Ceiling(_options.LeaseDuration.TotalSeconds),
        AcquireTime = acquireTime,
        RenewTime = now,
        LeaseTransitions = transitions,
    };

    /// <summary>Remembers when (on our monotonic clock) the lease record last changed.</summary>
    private void Observe(V1LeaseSpec? spec)
    {
        spec ??= new V1LeaseSpec();
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

    private bool ObservedExpired(V1LeaseSpec spec)
    {
        var duration = spec.LeaseDurationSeconds is > 0 and var seconds ? TimeSpan.FromSeconds(seconds) : _options.LeaseDuration;
        lock (_gate)
        {
            return _time.GetElapsedTime(_observedAt) >= duration;
        }
    }
}
