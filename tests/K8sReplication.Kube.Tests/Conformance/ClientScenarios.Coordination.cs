using k8s;
using K8sReplication.Kube.Events;
using K8sReplication.Kube.Leases;
using K8sReplication.TestKit;

namespace K8sReplication.Kube.Tests.Conformance;

public static partial class ClientScenarios
{
    internal static LeaderElectionOptions Election(string ns, string identity) => new()
    {
        LeaseName = "conformance-leader",
        LeaseNamespace = ns,
        Identity = identity,
        LeaseDuration = TimeSpan.FromSeconds(3),
        RenewDeadline = TimeSpan.FromSeconds(2),
        RetryPeriod = TimeSpan.FromMilliseconds(300),
    };

    public static async Task LeaderHandOver(ClientTarget t)
    {
        var a = new LeaderElector(t.Client, Election(t.Namespace, "candidate-a"));
        var b = new LeaderElector(t.Client, Election(t.Namespace, "candidate-b"));
        var aStopped = 0;
        a.StoppedLeading += (_, _) => Interlocked.Increment(ref aStopped);
        using var aRun = new CancellationTokenSource();
        using var bRun = new CancellationTokenSource();
        var aTask = a.RunAsync(aRun.Token);
        await Eventually.TrueAsync(() => a.IsLeader, Patience, "a becomes leader of a free lease");

        var bTask = b.RunAsync(bRun.Token);
        await Eventually.TrueAsync(() => b.CurrentLeader == "candidate-a", Patience, "b observes a as leader");
        Assert.False(b.IsLeader);
        Assert.True(a.IsLeader); // a keeps renewing, so b never sees the lease expire

        aRun.Cancel(); // graceful shutdown releases the lease
        await aTask;
        Assert.False(a.IsLeader);
        Assert.Equal(1, aStopped);
        await Eventually.TrueAsync(() => b.IsLeader, Patience, "b takes over the released lease");

        var lease = await t.Client.CoordinationV1.ReadNamespacedLeaseAsync("conformance-leader", t.Namespace);
        Assert.Equal("candidate-b", lease.Spec.HolderIdentity);
        Assert.Equal(1, lease.Spec.LeaseTransitions);
        Assert.Equal(3, lease.Spec.LeaseDurationSeconds);

        bRun.Cancel();
        await bTask;
        lease = await t.Client.CoordinationV1.ReadNamespacedLeaseAsync("conformance-leader", t.Namespace);
        Assert.True(string.IsNullOrEmpty(lease.Spec.HolderIdentity));
    }

    public static async Task EventsAreDeduplicated(ClientTarget t)
    {
        var owner = await t.Client.CoreV1.CreateNamespacedConfigMapAsync(Cm("evented"), t.Namespace);
        var recorder = new EventRecorder(t.Client, new EventRecorderOptions
        {
            ReportingController = "conformance.k8srepl.dev/tests",
            ReportingInstance = "test-1",
        });
        var regarding = EventRecorder.ReferenceTo(owner);
        Assert.Equal(EventRecordResult.Created, await recorder.RecordAsync(regarding, EventRecorder.Normal, "Synced", "Reconcile", "all good"));
        Assert.Equal(EventRecordResult.SeriesUpdated, await recorder.RecordAsync(regarding, EventRecorder.Normal, "Synced", "Reconcile", "all good"));
        Assert.Equal(EventRecordResult.SeriesUpdated, await recorder.RecordAsync(regarding, EventRecorder.Normal, "Synced", "Reconcile", "all good"));
        Assert.Equal(EventRecordResult.Created, await recorder.RecordAsync(regarding, EventRecorder.Warning, "Degraded", "Reconcile", "one member down"));

        var events = (await t.Client.EventsV1.ListNamespacedEventAsync(t.Namespace)).Items
            .Where(e => e.Regarding?.Uid == owner.Metadata.Uid).ToList();
        Assert.Equal(2, events.Count);
        var synced = Assert.Single(events, e => e.Reason == "Synced");
        Assert.Equal(3, synced.Series!.Count);
        Assert.True(synced.Series.LastObservedTime > DateTime.UnixEpoch);
        Assert.Equal("conformance.k8srepl.dev/tests", synced.ReportingController);
        Assert.Equal("ConfigMap", synced.Regarding!.Kind);
        var degraded = Assert.Single(events, e => e.Reason == "Degraded");
        Assert.Equal("Warning", degraded.Type);
        Assert.Null(degraded.Series);
    }
}
