using K8sReplication.Contracts.Mesh;
using K8sReplication.Kube.Events;

namespace K8sReplication.Operator.Mesh;

/// <summary>One Event to record about a mesh.</summary>
internal sealed record MeshChangeEvent(string Type, string Reason, string Note);

/// <summary>The Events a status change deserves (pure): members that joined or left, and conditions that flipped.</summary>
internal static class MeshChangeEvents
{
    public static IReadOnlyList<MeshChangeEvent> Between(ReplicationMeshStatus? before, ReplicationMeshStatus after)
    {
        var events = new List<MeshChangeEvent>();
        var was = (before?.Members ?? []).Select(m => m.Pod).ToHashSet(StringComparer.Ordinal);
        var now = (after.Members ?? []).Select(m => m.Pod).ToHashSet(StringComparer.Ordinal);
        events.AddRange(now.Where(p => !was.Contains(p)).Order(StringComparer.Ordinal)
            .Select(p => new MeshChangeEvent(EventRecorder.Normal, "MemberJoined", $"pod {p} joined the mesh")));
        foreach (var left in (before?.Members ?? []).Where(m => !now.Contains(m.Pod)).OrderBy(m => m.Pod, StringComparer.Ordinal))
        {
            events.Add(left is { State: MeshStatusBuilder.DrainingState, UndeliveredChanges: > 0 and var undelivered }
                ? new MeshChangeEvent(EventRecorder.Warning, "MemberLeftUndelivered",
                    $"pod {left.Pod} left the mesh holding {undelivered} changes no peer had fetched when last seen draining; they stay on its volume until it runs again")
                : new MeshChangeEvent(EventRecorder.Normal, "MemberLeft", $"pod {left.Pod} left the mesh"));
        }

        foreach (var condition in after.Conditions ?? [])
        {
            var previous = before?.Conditions?.FirstOrDefault(c => c.Type == condition.Type);
            if (previous is not null && previous.Status == condition.Status)
            {
                continue;
            }

            var bad = condition.Type == ConditionTypes.Degraded ? condition.Status == ConditionStatus.True : condition.Status == ConditionStatus.False;
            events.Add(new MeshChangeEvent(bad ? EventRecorder.Warning : EventRecorder.Normal, condition.Reason,
                $"{condition.Type}={condition.Status}: {condition.Message}"));
        }

        return events;
    }
}
