using K8sReplication.Contracts.Health;
using K8sReplication.Sidecar.Engine;

namespace K8sReplication.Sidecar.Tests.Engine;

public sealed class EngineStateMachineTests
{
    [Fact]
    public void HappyPath_MovesThroughEveryState_AndRaisesChanged()
    {
        var machine = new EngineStateMachine();
        var seen = new List<EngineState>();
        machine.Changed += seen.Add;
        machine.MoveTo(EngineState.Starting);
        machine.MoveTo(EngineState.Running);
        machine.MoveTo(EngineState.ShuttingDown);
        machine.MoveTo(EngineState.Stopped);
        Assert.Equal([EngineState.Starting, EngineState.Running, EngineState.ShuttingDown, EngineState.Stopped], seen);
    }

    [Theory]
    [InlineData(EngineState.Created, EngineState.Running)]
    [InlineData(EngineState.Running, EngineState.Starting)]
    [InlineData(EngineState.Stopped, EngineState.Running)]
    [InlineData(EngineState.Running, EngineState.Failed)]
    public void IllegalTransitions_AreRefused(EngineState from, EngineState to) =>
        Assert.False(EngineStateMachine.IsAllowed(from, to));

    [Fact]
    public void FailedStart_CanOnlyStop()
    {
        var machine = new EngineStateMachine();
        machine.MoveTo(EngineState.Starting);
        machine.MoveTo(EngineState.Failed);
        Assert.Throws<InvalidOperationException>(() => machine.MoveTo(EngineState.Running));
        Assert.True(machine.TryMoveTo(EngineState.Stopped));
    }
}
