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
    public void Between_NothingChanged_NoEvents() =>
        Assert.Empty(MeshChangeEvents.Between(Status(["a"], ConditionStatus.False), Status(["a"], ConditionStatus.False)));
}
