using K8sReplication.Sidecar.Capture;

namespace K8sReplication.Sidecar.Tests.Capture;

/// <summary>How often the checkpoint loop looks at the WAL.</summary>
public sealed class CheckpointPaceTests
{
    [Fact]
    public void LongWal_KeepsPaceWithTheWriters()
    {
        Assert.Equal(CheckpointLoop.ActiveInterval, CheckpointLoop.Next(CheckpointLoop.QuietInterval, CheckpointLoop.BusyWalFrames));
        Assert.Equal(CheckpointLoop.ActiveInterval, CheckpointLoop.Next(CheckpointLoop.ActiveInterval, 5000));
    }

    [Fact]
    public void ShortWal_IsCheckedLessOften_ButSoonerThanAQuietDatabase()
    {
        var wait = CheckpointLoop.Next(CheckpointLoop.ActiveInterval, CheckpointLoop.BusyWalFrames - 1);
        Assert.Equal(CheckpointLoop.ShortWalInterval, wait);
        Assert.True(wait > CheckpointLoop.ActiveInterval && wait < CheckpointLoop.QuietInterval);
    }

    [Fact]
    public void NothingCommitted_BacksOffByDoubling_UpToTheQuietInterval()
    {
        var waits = new List<TimeSpan>();
        var wait = CheckpointLoop.ActiveInterval;
        for (var i = 0; i < 12; i++)
        {
            wait = CheckpointLoop.Next(wait, 0);
            waits.Add(wait);
        }

        Assert.Equal(CheckpointLoop.ActiveInterval * 2, waits[0]);
        Assert.Equal(CheckpointLoop.QuietInterval, waits[^1]);
        Assert.True(waits.SequenceEqual(waits.Order()), "backing off never speeds up");
    }
}
