using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Capture;
using K8sReplication.Sidecar.Tests.Engine;

namespace K8sReplication.Sidecar.Tests.Capture;

public sealed class FoldPolicyTests
{
    private readonly ManualTime time = new();
    private readonly FoldPolicy policy = new();

    private FoldStep Check(long captured, long backlog, TimeSpan after)
    {
        time.Advance(after);
        policy.Observe(captured, time.GetTimestamp(), time);
        return policy.Next(backlog, time.GetTimestamp(), time);
    }

    [Fact]
    public void NothingPending_Waits()
    {
        Assert.Equal(FoldStep.Wait, Check(0, 0, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void HeavyWriter_IsNotFolded_UntilItPauses_EvenBetweenLongTransactions()
    {
        // 1000-row transactions committing every 30 ms; most checks (every 5 ms) see no new commit.
        for (var i = 0; i < 200; i++)
        {
            var captured = i % 6 == 0 ? 1000 : 0;
            Assert.Equal(FoldStep.Wait, Check(captured, 1000L * (i / 6), TimeSpan.FromMilliseconds(5)));
        }

        // The app pauses: once it has been quiet for FoldQuiet, everything is folded.
        var quietSteps = new List<FoldStep>();
        for (var waited = TimeSpan.Zero; waited <= SidecarDefaults.FoldQuiet; waited += TimeSpan.FromMilliseconds(5))
        {
            quietSteps.Add(Check(0, 33_000, TimeSpan.FromMilliseconds(5)));
        }

        var firstAll = quietSteps.IndexOf(FoldStep.All);
        Assert.True(firstAll >= 0, "folded once the app paused");
        Assert.All(quietSteps[..firstAll], s => Assert.Equal(FoldStep.Wait, s));
        Assert.True((firstAll + 2) * 5 >= SidecarDefaults.FoldQuiet.TotalMilliseconds, "not before FoldQuiet without a commit");
    }

    [Fact]
    public void HeavyWriter_IsFoldedWithPauses_OnceTheBacklogReachesItsBound()
    {
        Assert.Equal(FoldStep.Wait, Check(5000, 5000, TimeSpan.FromMilliseconds(5)));
        Assert.Equal(FoldStep.AllYielding, Check(5000, SidecarDefaults.FoldMaxBacklog, TimeSpan.FromMilliseconds(5)));
    }

    [Fact]
    public void SparseWriter_IsFoldedASliceAtATime_AfterTheSparseDelay()
    {
        var steps = new List<FoldStep>();
        for (var ms = 0; ms < 400; ms++)
        {
            steps.Add(Check(1, 10, TimeSpan.FromMilliseconds(1))); // 1,000 single-row commits a second
        }

        var first = steps.IndexOf(FoldStep.Slice);
        Assert.InRange(first, (int)SidecarDefaults.FoldSparseDelay.TotalMilliseconds - 2, (int)SidecarDefaults.FoldSparseDelay.TotalMilliseconds + 2);
        Assert.DoesNotContain(FoldStep.All, steps);
        policy.Folded(pending: false, time.GetTimestamp());
        Assert.Equal(FoldStep.Wait, Check(1, 1, TimeSpan.FromMilliseconds(1)));
    }

    [Fact]
    public void AppPaused_ButAPeerCatchingUpOnTheLog_FoldWaits_ForABoundedTime()
    {
        Assert.Equal(FoldStep.Wait, Check(5000, 5000, TimeSpan.FromMilliseconds(5)));
        time.Advance(SidecarDefaults.FoldQuiet);
        policy.Observe(0, time.GetTimestamp(), time);

        // The app paused and a reader is still behind the log's head: its catch-up gets the CPU first.
        Assert.Equal(FoldStep.Wait, policy.Next(5000, time.GetTimestamp(), time, readerCatchingUp: true));
        Assert.Equal(FoldStep.All, policy.Next(5000, time.GetTimestamp(), time, readerCatchingUp: false));

        // A backlog at its bound is folded whatever the readers do.
        Assert.Equal(FoldStep.All, policy.Next(SidecarDefaults.FoldMaxBacklog, time.GetTimestamp(), time, readerCatchingUp: true));

        // And so is any backlog once the fold has waited FoldReaderCatchUpMax for the reader.
        time.Advance(SidecarDefaults.FoldReaderCatchUpMax);
        Assert.Equal(FoldStep.All, policy.Next(5000, time.GetTimestamp(), time, readerCatchingUp: true));
    }

    [Fact]
    public void AppWritingEverySoOften_DoesNotKeepTheFoldWaitingForAReader()
    {
        // 400 captures every 150 ms: between two commits the app counts as paused, and a reader is always behind.
        var steps = new List<FoldStep>();
        for (var i = 0; i < 40; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(150));
            policy.Observe(400, time.GetTimestamp(), time);
            time.Advance(SidecarDefaults.FoldQuiet);
            var step = policy.Next(400, time.GetTimestamp(), time, readerCatchingUp: true);
            steps.Add(step);
            if (step == FoldStep.All)
            {
                policy.Folded(pending: false, time.GetTimestamp());
            }
        }

        // Cycles of 250 ms: the fold waits FoldReaderCatchUpMax at most (rounded up to a cycle), then runs.
        var most = (int)Math.Ceiling(SidecarDefaults.FoldReaderCatchUpMax.TotalMilliseconds / 250) + 1;
        var folds = steps.Select((s, i) => (s, i)).Where(p => p.s == FoldStep.All).Select(p => p.i).ToList();
        Assert.NotEmpty(folds);
        Assert.All(folds.Prepend(-1).Zip(folds, (a, b) => b - a), gap => Assert.InRange(gap, 1, most));
    }

    [Fact]
    public void LockFoundTaken_MeansTheAppIsWriting()
    {
        Assert.Equal(FoldStep.Wait, Check(2000, 2000, TimeSpan.FromMilliseconds(1)));
        Assert.Equal(FoldStep.All, Check(0, 2000, SidecarDefaults.FoldQuiet));
        policy.LockTaken(time.GetTimestamp());
        Assert.Equal(FoldStep.Wait, Check(0, 2000, TimeSpan.FromMilliseconds(1)));
    }
}
