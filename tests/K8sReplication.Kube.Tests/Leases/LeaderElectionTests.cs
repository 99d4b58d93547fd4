using k8s;
using k8s.Models;
using K8sReplication.Kube.Leases;
using K8sReplication.Kube.Tests.Conformance;
using K8sReplication.Kube.Tests.Emulator;
using K8sReplication.TestKit;

namespace K8sReplication.Kube.Tests.Leases;

public sealed class LeaderElectionTests : EmulatorTestBase
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task CrashedLeader_WithoutRelease_IsReplacedAfterTheLeaseExpires()
    {
        var a = new LeaderElector(Client, ClientScenarios.Election("default", "a") with { ReleaseOnCancel = false });
        var b = new LeaderElector(Client, ClientScenarios.Election("default", "b"));
        using var aRun = new CancellationTokenSource();
        using var bRun = new CancellationTokenSource();
        var aTask = a.RunAsync(aRun.Token);
        await Eventually.TrueAsync(() => a.IsLeader, Patience, "a leads");
        var bTask = b.RunAsync(bRun.Token);
        await Eventually.TrueAsync(() => b.CurrentLeader == "a", Patience, "b sees a");

        aRun.Cancel(); // a "crashes": it stops renewing and does not release
        await aTask;
        var crashedAt = DateTime.UtcNow;
        Assert.Equal("a", (await Client.CoordinationV1.ReadNamespacedLeaseAsync("conformance-leader", "default")).Spec.HolderIdentity);

        await Eventually.TrueAsync(() => b.IsLeader, Patience, "b takes over the expired lease");
        Assert.True(DateTime.UtcNow - crashedAt >= TimeSpan.FromSeconds(1), "b waited for the lease to expire");
        bRun.Cancel();
        await bTask;
    }

    [Fact]
    public async Task CandidatesRacingForAFreeLease_NeverBothLead()
    {
        var electors = Enumerable.Range(0, 3).Select(i => new LeaderElector(Client, ClientScenarios.Election("default", "c" + i))).ToList();
        using var run = new CancellationTokenSource();
        var bothSeen = false;
        var tasks = electors.Select(e => e.RunAsync(run.Token)).ToList();
        await Eventually.TrueAsync(() =>
        {
            bothSeen |= electors.Count(e => e.IsLeader) > 1;
            return electors.Count(e => e.IsLeader) == 1;
        }, Patience, "exactly one leader");

        var leader = electors.Single(e => e.IsLeader);
        for (var i = 0; i < 20; i++)
        {
            bothSeen |= electors.Count(e => e.IsLeader) > 1;
            await Eventually.ValueAsync(() => Client.CoordinationV1.ReadNamespacedLeaseAsync("conformance-leader", "default"),
                l => l.Spec.HolderIdentity == leader.Identity, Patience, "the lease names the leader");
        }

        Assert.False(bothSeen);
        run.Cancel();
        await Task.WhenAll(tasks);
    }

    [Fact]
    public async Task LeaderThatCannotRenew_StepsDownWithinTheRenewDeadline()
    {
        var a = new LeaderElector(Client, ClientScenarios.Election("default", "a"));
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        CancellationToken leadership = default;
        a.StartedLeading += (_, e) => leadership = e.LeadershipLost;
        a.StoppedLeading += (_, _) => stopped.TrySetResult();
        using var run = new CancellationTokenSource();
        var task = a.RunAsync(run.Token);
        await Eventually.TrueAsync(() => a.IsLeader, Patience, "a leads");

        // The API server starts failing every lease request.
        Emulator.Faults.FailNext(10_000, 503, r => r.Resource == "leases");
        await stopped.Task.WaitAsync(Patience);
        Assert.False(a.IsLeader);
        Assert.True(leadership.IsCancellationRequested, "the leadership token is cancelled on step-down");
        Assert.NotNull(a.LastError);
        run.Cancel();
        await task;
    }

    [Fact]
    public void InvalidOptions_NameEveryField()
    {
        var ex = Assert.Throws<ArgumentException>(() => new LeaderElector(Client, new LeaderElectionOptions
        {
            LeaseName = "",
            LeaseNamespace = "ns",
            Identity = " ",
            LeaseDuration = TimeSpan.FromSeconds(5),
            RenewDeadline = TimeSpan.FromSeconds(10),
            RetryPeriod = TimeSpan.FromSeconds(2),
        }));
        Assert.Contains("LeaseName must be set", ex.Message);
        Assert.Contains("Identity must be set", ex.Message);
        Assert.Contains("LeaseDuration must be greater than RenewDeadline", ex.Message);
    }

    [Fact]
    public async Task ExpiryIsJudgedByOurMonotonicClock_NotTheWritersWallClock()
    {
        // A lease written by a holder whose wall clock is an hour behind still counts as fresh when it was just renewed.
        await Client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = "conformance-leader" },
            Spec = new V1LeaseSpec
            {
                HolderIdentity = "skewed",
                LeaseDurationSeconds = 3,
                RenewTime = DateTime.UtcNow.AddHours(-1),
                AcquireTime = DateTime.UtcNow.AddHours(-1),
            },
        }, "default");
        var b = new LeaderElector(Client, ClientScenarios.Election("default", "b"));
        Assert.Equal(LeaseAttempt.HeldByOther, await b.TryAcquireOrRenewAsync(CancellationToken.None));
        Assert.Equal("skewed", b.CurrentLeader);
        await Eventually.ValueAsync(() => b.TryAcquireOrRenewAsync(CancellationToken.None), r => r == LeaseAttempt.Held, Patience,
            "b acquires only after observing no change for the lease duration");
    }
}
