using System.Globalization;
using K8sReplication.Contracts.Mesh;

namespace K8sReplication.Operator.Mesh;

/// <summary>
/// Builds the mesh status from observations (pure). A member's <c>lastSeen</c> is only refreshed when something else
/// about the member changed or the stored value is older than <see cref="LastSeenRefresh"/>, so a steady mesh does
/// not cause a status write on every poll.
/// </summary>
internal static class MeshStatusBuilder
{
    public static readonly TimeSpan LastSeenRefresh = TimeSpan.FromMinutes(5);

    /// <summary>State of a member whose pod is being deleted: its sidecar waits for a peer to fetch its changes.</summary>
    public const string DrainingState = "Draining";

    public static ReplicationMeshStatus Build(
        long generation,
        long configGeneration,
        bool paused,
        bool terminating,
        IReadOnlyList<MemberObservation> observations,
        ReplicationMeshStatus? previous,
        DateTimeOffset now,
        string? authRefusal = null,
        BackupExpectation? backup = null,
        TlsExpectation? tls = null,
        MeshCondition? networkPolicy = null)
    {
        var members = observations.OrderBy(o => o.Pod, StringComparer.Ordinal).Select(o => Member(o, previous, now)).ToList();
        // Conditions describe the members that stay: a terminating member drains and leaves (it shows as Draining).
        List<MemberObservation> staying = [.. observations.Where(o => !o.Terminating)];
        var conditions = MeshConditions.Compute(staying, configGeneration, paused, generation, previous?.Conditions, now, authRefusal, backup, tls, networkPolicy);
        var degraded = conditions.Any(c => c.Type == ConditionTypes.Degraded && c.Status == ConditionStatus.True);
        var maxLag = observations.Count == 0 ? 0 : observations.Max(o => o.MaxLag.Seconds);

        return new ReplicationMeshStatus
        {
            ObservedGeneration = generation,
            Phase = terminating ? "Terminating" : paused ? "Paused" : observations.Count == 0 ? "Pending" : degraded ? "Degraded" : "Running",
            Members = members,
            ReadyMembers = members.Count(m => m.Ready),
            TotalMembers = members.Count,
            ConfigGeneration = configGeneration,
            MaxLag = FormatLag(maxLag),
            Backup = backup is null ? null : MeshBackupHealth.Status(staying, previous?.Backup),
            Conditions = conditions,
        };
    }

    public static string FormatLag(double seconds) =>
        seconds < 0.001 ? "0s" : seconds < 10 ? seconds.ToString("0.###", CultureInfo.InvariantCulture) + "s" : Math.Round(seconds).ToString(CultureInfo.InvariantCulture) + "s";

    private static MeshMember Member(MemberObservation o, ReplicationMeshStatus? previous, DateTimeOffset now)
    {
        var before = previous?.Members?.FirstOrDefault(m => m.Pod == o.Pod);
        var (lagChanges, lagSeconds) = o.MaxLag;
        var member = new MeshMember
        {
            Pod = o.Pod,
            SiteId = o.Health?.SiteId ?? before?.SiteId,
            Address = o.ReplicationUrl,
            Ready = o.Health?.Ready == true,
            State = o.Terminating ? DrainingState : o.Health?.State.ToString() ?? (o.Contacted ? "Unreachable" : MemberObservation.NotContactedState),
            UndeliveredChanges = o.Terminating ? o.Health?.UndeliveredChanges ?? before?.UndeliveredChanges : null,
            LagChanges = lagChanges,
            LagSeconds = Math.Round(lagSeconds, 3),
            MerkleRoot = o.Health?.MerkleRoot ?? before?.MerkleRoot,
            ConfigGeneration = o.Health?.ConfigGeneration ?? before?.ConfigGeneration,
            LastSeen = before?.LastSeen,
        };

        if (!o.Reachable)
        {
            return member;
        }

        var unchanged = before is not null && before.LastSeen is { } seen && now - seen < LastSeenRefresh
            && member == (before with { LastSeen = member.LastSeen });
        return unchanged ? member : member with { LastSeen = o.At };
    }
}
