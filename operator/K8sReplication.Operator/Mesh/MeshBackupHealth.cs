using System.Globalization;
using K8sReplication.Contracts.Mesh;

namespace K8sReplication.Operator.Mesh;

/// <summary>
/// The BackupHealthy condition and <c>status.backup</c> from member observations (pure). Messages name the members and
/// quote their <c>lastError</c>; they hold no time relative to now, so a steady mesh does not rewrite its status.
/// </summary>
internal static class MeshBackupHealth
{
    private const int MaxNamed = 5;

    public static MeshCondition Condition(IReadOnlyList<MemberObservation> members, BackupExpectation expected, string? authRefusal, DateTimeOffset now)
    {
        if (authRefusal is not null)
        {
            return Of(ConditionStatus.Unknown, ConditionReasons.AuthSecretNotLabelled, authRefusal);
        }

        if (expected.CredentialsProblem is { } problem)
        {
            return Of(ConditionStatus.False, ConditionReasons.CredentialsUnavailable, problem);
        }

        if (members.Count == 0)
        {
            return Of(ConditionStatus.Unknown, ConditionReasons.NoMembers, "no members");
        }

        var failing = members.Where(m => m.Health?.Backup?.LastError is not null).ToList();
        if (failing.Count > 0)
        {
            return Of(ConditionStatus.False, ConditionReasons.ArchiveFailing,
                "archiving fails on " + Detail(failing, m => $"{m.Pod}: {m.Health!.Backup!.LastError}"));
        }

        var silent = members.Where(m => m.Health?.Backup is null).ToList();
        if (silent.Count > 0)
        {
            return Of(ConditionStatus.False, ConditionReasons.NotReported,
                "no backup reported by " + Detail(silent, m => m.Health is null ? $"{m.Pod} (status not read: {m.Error})" : m.Pod));
        }

        var stale = members.Where(m => m.Health!.Backup!.LastSuccessAt is not { } at || now - at > expected.StaleAfter).ToList();
        if (stale.Count > 0)
        {
            return Of(ConditionStatus.False, ConditionReasons.ArchiveStale,
                $"no successful archive round within {Format(expected.StaleAfter)} on "
                + Detail(stale, m => m.Health!.Backup!.LastSuccessAt is { } at ? $"{m.Pod} (last {Stamp(at)})" : $"{m.Pod} (never)"));
        }

        return Of(ConditionStatus.True, ConditionReasons.ArchiveCurrent,
            $"all {members.Count} members archived within {Format(expected.StaleAfter)}");
    }

    /// <summary>
    /// <c>status.backup</c>: <c>lastSuccessTime</c> is the oldest last success of the members that report a backup (the
    /// mesh is archived at least up to then), absent while one of them has none yet. Like a member's <c>lastSeen</c>, a
    /// newer value replaces the stored one only once it is <see cref="MeshStatusBuilder.LastSeenRefresh"/> ahead: the
    /// stored value stays a true lower bound, and a steady mesh is not rewritten on every look.
    /// </summary>
    public static MeshBackupStatus Status(IReadOnlyList<MemberObservation> members, MeshBackupStatus? previous)
    {
        var reports = members.Where(m => m.Health?.Backup is not null).Select(m => m.Health!.Backup!.LastSuccessAt).ToList();
        if (reports.Count == 0 || reports.Any(at => at is null))
        {
            return new MeshBackupStatus();
        }

        // Whole seconds, as Kubernetes times are; rounded down, so the bound still holds.
        var oldest = reports.Min()!.Value;
        oldest = new DateTimeOffset(oldest.UtcTicks - (oldest.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        return previous?.LastSuccessTime is { } kept && kept <= oldest && oldest - kept < MeshStatusBuilder.LastSeenRefresh
            ? previous
            : new MeshBackupStatus { LastSuccessTime = oldest };
    }

    private static MeshCondition Of(ConditionStatus status, string reason, string message) =>
        new() { Type = ConditionTypes.BackupHealthy, Status = status, Reason = reason, Message = message };

    private static string Detail(List<MemberObservation> members, Func<MemberObservation, string> describe)
    {
        var named = string.Join("; ", members.OrderBy(m => m.Pod, StringComparer.Ordinal).Take(MaxNamed).Select(describe));
        return members.Count <= MaxNamed ? named : $"{named} and {members.Count - MaxNamed} more";
    }

    private static string Format(TimeSpan span) => Contracts.Config.Durations.Format(span);

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
