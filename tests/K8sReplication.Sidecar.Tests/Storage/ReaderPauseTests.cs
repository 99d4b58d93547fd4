using System.Diagnostics;
using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Sidecar.Tests.Storage;

/// <summary>The brief hold on this member's readers that lets a long WAL start over.</summary>
public sealed class ReaderPauseTests
{
    [Fact]
    public void Readers_AreCounted_AndPassFreelyWhenNotPaused()
    {
        var pause = new ReaderPause();
        pause.Enter();
        pause.Enter();
        Assert.Equal(2, pause.Active);
        pause.Exit();
        pause.Exit();
        Assert.Equal(0, pause.Active);
        Assert.False(pause.Paused);
    }

    [Fact]
    public async Task PausedReader_WaitsUntilResumed()
    {
        var pause = new ReaderPause();
        pause.Pause(TimeSpan.FromMinutes(1));
        var reader = Task.Run(() =>
        {
            pause.Enter();
            pause.Exit();
        });
        await Task.Delay(50); // a window in which the reader must still be held back
        Assert.False(reader.IsCompleted, "the reader went on during the pause");
        pause.Resume();
        await reader.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Pause_EndsByItselfAtItsDeadline()
    {
        var pause = new ReaderPause();
        var clock = Stopwatch.StartNew();
        pause.Pause(TimeSpan.FromMilliseconds(30));
        Assert.True(pause.Paused);
        pause.Enter();
        pause.Exit();
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(25), $"the reader waited only {clock.Elapsed}");
        Assert.False(pause.Paused);
    }
}
