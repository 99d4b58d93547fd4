using K8sReplication.Observability.Metrics;
using K8sReplication.Sidecar.Metrics;
using K8sReplication.Sidecar.Pull;
using K8sReplication.Sidecar.Resilience;
using K8sReplication.Sidecar.Storage;
using K8sReplication.Sidecar.Tests.Storage;

namespace K8sReplication.Sidecar.Tests.Pull;

/// <summary>An applied remote batch wakes the readers of this member's own changes only when it also folded some.</summary>
public sealed class BatchApplierSignalTests
{
    [Fact]
    public void ARemoteBatch_WakesOwnReaders_OnlyWhenItsApplyFoldedThisMembersCaptures()
    {
        using var r = new TestReplica();
        var replica = new StoreAccess();
        replica.Publish(r.Store);
        var signal = new ChangeSignal();
        var applier = new BatchApplier(replica, new DatabaseCircuit(TimeProvider.System), signal,
            new SidecarMetrics(new PrometheusMetricFactory(Prometheus.Metrics.NewCustomRegistry())));

        // Nothing of this member's pending: the batch wakes the readers of any site's changes only.
        var own = signal.NextOwnAsync();
        var any = signal.NextAsync();
        applier.Apply([ChangeFactory.Kv("a", "remote", ChangeFactory.NowHlc(), ChangeFactory.SiteA)], "feed:a", "1", null, "a");
        Assert.True(any.IsCompleted);
        Assert.False(own.IsCompleted);

        // The app wrote and nothing folded it yet: the apply folds it first, so a reader of this member's feed (one that
        // stopped at an entry only a fold resolves, say) must look again.
        r.Exec("INSERT INTO kv VALUES ('mine', 'local')");
        Assert.True(r.Store.HasPendingCaptures());
        applier.Apply([ChangeFactory.Kv("b", "remote", ChangeFactory.NowHlc(), ChangeFactory.SiteA)], "feed:a", "2", null, "a");
        Assert.False(r.Store.HasPendingCaptures());
        Assert.True(own.IsCompleted);
    }
}
