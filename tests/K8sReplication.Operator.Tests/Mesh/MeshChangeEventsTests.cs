using K8sReplication.Contracts.Mesh;
using K8sReplication.Operator.Mesh;

namespace K8sReplication.Operator.Tests.Mesh;

public sealed class MeshChangeEventsTests
{
    private static ReplicationMeshStatus Status(string[] pods, ConditionStatus degraded) => new()
    {
        Members = [.. pods.Select(p => new MeshMember { Pod = p })],
        Conditions = [new MeshCondition { Type = ConditionTypes.Degraded, Status = degraded, Reason = "R", Message = "m" }],
    };

    [Fact]
    public void Between_JoinLeaveAndFlippedCondition_AreReported()
    {
        var events = MeshChangeEvents.Between(Status(["a", "b"], ConditionStatus.False), Status(["b", "c"], ConditionStatus.True));
        Assert.Equal(["MemberJoined", "MemberLeft", "R"], events.Select(e => e.Reason));
        Assert.Equal("Warning", events[2].Type);
        Assert.Contains("c", events[0].Note, StringComparison.Ordinal);
    }

    [Fact]
    public void MemberLeavingWhileItsLastStatusHeldUndeliveredChanges_IsAWarningNamingThem()
    {
        var before = Status(["a", "b", "c"], ConditionStatus.False) with
        {
            Members =
            [
                new MeshMember { Pod = "a" },
                new MeshMember { Pod = "b", State = MeshStatusBuilder.DrainingState, UndeliveredChanges = 7 },
                new MeshMember { Pod = "c", State = MeshStatusBuilder.DrainingState, UndeliveredChanges = 0 },
            ],
        };
        var events = MeshChangeEvents.Between(before, Status(["a"], ConditionStatus.False));
        Assert.Equal(["MemberLeftUndelivered", "MemberLeft"], events.Select(e => e.Reason));
        Assert.Equal("Warning", events[0].Type);
        Assert.Contains("pod b", events[0].Note, StringComparison.Ordinal);
        Assert.Contains("7 changes", events[0].Note, StringComparison.Ordinal);
        Assert.Equal("Normal", events[1].Type);
    }

    [Fact]
    public void Between_NothingChanged_NoEvents() =>
        Assert.Empty(MeshChangeEvents.Between(Status(["a"], ConditionStatus.False), Status(["a"], ConditionStatus.False)));
}
