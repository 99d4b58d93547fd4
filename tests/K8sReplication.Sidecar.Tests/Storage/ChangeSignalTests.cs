using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Sidecar.Tests.Storage;

/// <summary>Waiters for this member's own changes sleep through applied remote batches; everyone wakes on its own.</summary>
public sealed class ChangeSignalTests
{
    [Fact]
    public void OthersChanges_WakeOnlyTheWaitersForAnySite_OwnChangesWakeEveryone()
    {
        var signal = new ChangeSignal();
        var any = signal.NextAsync();
        var own = signal.NextOwnAsync();

        signal.NotifyOthers();
        Assert.True(any.IsCompleted);
        Assert.False(own.IsCompleted);

        var anyAgain = signal.NextAsync();
        Assert.False(anyAgain.IsCompleted);
        signal.Notify();
        Assert.True(own.IsCompleted);
        Assert.True(anyAgain.IsCompleted);
        Assert.False(signal.NextOwnAsync().IsCompleted);
    }
}
