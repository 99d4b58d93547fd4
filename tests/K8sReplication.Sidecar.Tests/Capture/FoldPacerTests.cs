using K8sReplication.Sidecar.Capture;
using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Tests.Engine;

namespace K8sReplication.Sidecar.Tests.Capture;

public sealed class FoldPacerTests
{
    private readonly ManualTime time = new();
    private readonly FoldPacer pacer = new();

    private TimeSpan Step(int folded)
    {
        var delay = pacer.Next(folded, time.GetTimestamp(), time);
        time.Advance(delay);
        return delay;
    }

    [Fact]
    public void QuietDatabase_BacksOffToTheIdleInterval_AndTheFirstWriteBringsFastPollingBack()
    {
        var delays = Enumerable.Range(0, 10).Select(_ => Step(0)).ToList();
        Assert.Equal(SidecarDefaults.FoldIdlePollInterval, delays[^1]);
        Assert.True(delays.SequenceEqual(delays.Order()), "backing off never speeds up");

        Assert.Equal(SidecarDefaults.FoldPollInterval, Step(1));
        Assert.Equal(SidecarDefaults.FoldPollInterval, Step(0)); // still within the active window
    }

    [Fact]
    public void SparseWrites_KeepFastPolling_ForTheActiveWindow()
    {
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(SidecarDefaults.FoldPollInterval, Step(i % 3 == 0 ? 2 : 0));
        }

        time.Advance(SidecarDefaults.FoldActiveWindow);
        Assert.True(Step(0) > SidecarDefaults.FoldPollInterval, "after the active window the pacer backs off");
    }

    [Fact]
    public void HeavyWrites_StretchTheIntervalToTheBusyInterval_AndFastPollingReturnsWhenTheyThin()
    {
        var delay = SidecarDefaults.FoldPollInterval;
        var delays = new List<TimeSpan>();
        for (var i = 0; i < 10; i++)
        {
            delay = Step(Busy(delay) + 1);
            delays.Add(delay);
        }

        Assert.Equal(SidecarDefaults.FoldBusyInterval, delays[^1]);
        Assert.True(delays.All(d => d <= SidecarDefaults.FoldBusyInterval));
        Assert.Equal(SidecarDefaults.FoldPollInterval, Step(Busy(delay)));
    }

    [Fact]
    public void SteadyModerateRate_AfterABurst_GetsFastPollingBack()
    {
        // A burst stretches the interval; then 1,000 commits/s arrive: one per millisecond, so a check after the
        // stretched interval finds more than the busy count, but not more than the busy rate.
        var delay = SidecarDefaults.FoldPollInterval;
        for (var i = 0; i < 10; i++)
        {
            delay = Step(Busy(delay) + 1);
        }

        Assert.Equal(SidecarDefaults.FoldBusyInterval, delay);
        var oneAMillisecond = (int)SidecarDefaults.FoldBusyInterval.TotalMilliseconds;
        Assert.True(oneAMillisecond > SidecarDefaults.FoldBusyEntries);
        Assert.Equal(SidecarDefaults.FoldPollInterval, Step(oneAMillisecond));
    }

    /// <summary>The most captures a check after <paramref name="delay"/> may find without counting as heavy writing.</summary>
    private static int Busy(TimeSpan delay) =>
        SidecarDefaults.FoldBusyEntries * (int)Math.Max(1, delay / SidecarDefaults.FoldPollInterval);
}
