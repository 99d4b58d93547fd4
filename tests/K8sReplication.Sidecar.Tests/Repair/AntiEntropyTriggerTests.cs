using K8sReplication.Sidecar.Repair;

namespace K8sReplication.Sidecar.Tests.Repair;

public sealed class AntiEntropyTriggerTests
{
    [Fact]
    public void RequestRound_CancelsTheTokenTakenBefore_AndTheNextTokenWaitsForTheNextRequest()
    {
        using var trigger = new AntiEntropyTrigger();
        var beforeRound = trigger.Wake;

        trigger.RequestRound();
        var afterRound = trigger.Wake;

        Assert.True(beforeRound.IsCancellationRequested);
        Assert.False(afterRound.IsCancellationRequested);
        trigger.RequestRound();
        Assert.True(afterRound.IsCancellationRequested);
    }

    [Fact]
    public async Task ALoopWaitingOnTheWake_IsWokenByARequest()
    {
        using var trigger = new AntiEntropyTrigger();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(CancellationToken.None, trigger.Wake);
        var waiting = Task.Delay(Timeout.InfiniteTimeSpan, linked.Token);

        trigger.RequestRound();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
