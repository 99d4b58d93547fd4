using K8sReplication.Contracts.Health;
using K8sReplication.Contracts.Mesh;

namespace K8sReplication.Operator.Mesh;

/// <summary>
/// Computes the five mesh conditions from member observations (pure), and BackupHealthy when the mesh has a backup
/// (<see cref="MeshBackupHealth"/>); without one the condition is absent, so removing <c>spec.backup</c> removes it. <c>lastTransitionTime</c> is carried over from
/// the previous condition of the same type unless its status flips, as Kubernetes conventions require. When the auth
/// Secret was refused no member was contacted, so nothing is known about them: Ready, Converged and SchemaConsistent
/// are Unknown, ConfigApplied is False and Degraded is True, all with reason <see cref="ConditionReasons.AuthSecretNotLabelled"/>.
/// </summary>
internal static class MeshConditions
{
    public static IReadOnlyList<MeshCondition> Compute(
        IReadOnlyList<MemberObservation> members,
        long desiredConfigGeneration,
        bool paused,
        long generation,
        IReadOnlyList<MeshCondition>? previous,
        DateTimeOffset now,
        string? authRefusal = null,
        BackupExpectation? backup = null,
        TlsExpectation? tls = null,
        MeshCondition? networkPolicy = null)
    {
        var computed = authRefusal is not null ? Refused(authRefusal) : new[]
        {
            Ready(members),
            Converged(members),
            ConfigApplied(members, desiredConfigGeneration, paused),
            SchemaConsistent(members),
            Degraded(members),
        };
        if (backup is not null)
        {
            computed = [.. computed, MeshBackupHealth.Condition(members, backup, authRefusal, now)];
        }

        if (tls is not null)
        {
            computed = [.. computed, MeshTlsHealth.Condition(members, tls, now)];
        }

        if (networkPolicy is not null)
        {
            computed = [.. computed, networkPolicy];
        }

        return computed.Select(c =>
        {
            var before = previous?.FirstOrDefault(p => p.Type == c.Type);
            var since = before is not null && before.Status == c.Status ? before.LastTransitionTime : now;
            return c with { LastTransitionTime = since, ObservedGeneration = generation };
        }).ToList();
    }

    private static MeshCondition[] Refused(string message) =>
    [
        Condition(ConditionTypes.Ready, ConditionStatus.Unknown, ConditionReasons.AuthSecretNotLabelled, message),
        Condition(ConditionTypes.Converged, ConditionStatus.Unknown, ConditionReasons.AuthSecretNotLabelled, message),
        Condition(ConditionTypes.ConfigApplied, ConditionStatus.False, ConditionReasons.AuthSecretNotLabelled, message),
        Condition(ConditionTypes.SchemaConsistent, ConditionStatus.Unknown, ConditionReasons.AuthSecretNotLabelled, message),
        Condition(ConditionTypes.Degraded, ConditionStatus.True, ConditionReasons.AuthSecretNotLabelled, message),
    ];

    private static MeshCondition Ready(IReadOnlyList<MemberObservation> members)
    {
        if (members.Count == 0)
        {
            return Condition(ConditionTypes.Ready, ConditionStatus.False, ConditionReasons.NoMembers, "no running pod matches the selector");
        }

        var notReady = members.Where(m => m.Health?.Ready != true).Select(m => m.Pod).ToList();
        return notReady.Count == 0
            ? Condition(ConditionTypes.Ready, ConditionStatus.True, ConditionReasons.AllMembersReady, $"{members.Count} of {members.Count} members ready")
            : Condition(ConditionTypes.Ready, ConditionStatus.False, ConditionReasons.MembersNotReady, $"not ready: {Names(notReady)}");
    }

    private static MeshCondition Converged(IReadOnlyList<MemberObservation> members)
    {
        if (members.Count == 0)
        {
            return Condition(ConditionTypes.Converged, ConditionStatus.Unknown, ConditionReasons.NoMembers, "no members");
        }

        var unreachable = members.Where(m => !m.Reachable).Select(m => m.Pod).ToList();
        if (unreachable.Count > 0)
        {
            return Condition(ConditionTypes.Converged, ConditionStatus.Unknown, ConditionReasons.MembersUnreachable, $"cannot read: {Names(unreachable)}");
        }

        var roots = members.GroupBy(m => m.Health!.MerkleRoot, StringComparer.Ordinal).ToList();
        if (roots.Count > 1)
        {
            var detail = string.Join("; ", roots.Select(g => $"{Short(g.Key)}: {Names(g.Select(m => m.Pod).ToList())}"));
            return Condition(ConditionTypes.Converged, ConditionStatus.False, ConditionReasons.RootsDiffer, $"Merkle roots differ ({detail})");
        }

        var lagging = members.Where(m => m.MaxLag.Changes > 0).Select(m => m.Pod).ToList();
        return lagging.Count > 0
            ? Condition(ConditionTypes.Converged, ConditionStatus.False, ConditionReasons.Lagging, $"lagging: {Names(lagging)}")
            : Condition(ConditionTypes.Converged, ConditionStatus.True, ConditionReasons.SameData, $"all {members.Count} members report root {Short(roots[0].Key)}");
    }

    private static MeshCondition ConfigApplied(IReadOnlyList<MemberObservation> members, long desired, bool paused)
    {
        if (paused)
        {
            return Condition(ConditionTypes.ConfigApplied, ConditionStatus.Unknown, ConditionReasons.Paused, "spec.paused is true: configuration is not pushed");
        }

        var outdated = members.Where(m => m.Health?.ConfigGeneration != desired).Select(m => m.Pod).ToList();
        if (outdated.Count > 0)
        {
            return Condition(ConditionTypes.ConfigApplied, ConditionStatus.False, ConditionReasons.MembersOutdated, $"not on generation {desired}: {Names(outdated)}");
        }

        // On the generation, but some of it (the transport, the Redis link) only takes effect when the sidecar starts.
        var pending = members.Where(m => m.Health?.PendingRestart is { Count: > 0 }).ToList();
        return pending.Count == 0
            ? Condition(ConditionTypes.ConfigApplied, ConditionStatus.True, ConditionReasons.AllMembersCurrent, $"all members run config generation {desired}")
            : Condition(ConditionTypes.ConfigApplied, ConditionStatus.False, ConditionReasons.RestartRequired,
                $"on generation {desired}, but these members apply part of it only when restarted: "
                + string.Join("; ", pending.Take(5).Select(m => $"{m.Pod} ({string.Join(", ", m.Health!.PendingRestart!)})"))
                + (pending.Count > 5 ? $" and {pending.Count - 5} more" : "")
                + "; restart their pods (kubectl rollout restart)");
    }

    private static MeshCondition SchemaConsistent(IReadOnlyList<MemberObservation> members)
    {
        var mismatched = new SortedSet<string>(StringComparer.Ordinal);
        var reachable = members.Where(m => m.Reachable).ToList();
        var tables = reachable.SelectMany(m => m.Health!.SchemaHashes.Keys).Distinct(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            var hashes = reachable.Select(m => m.Health!.SchemaHashes.GetValueOrDefault(table)).Where(h => h is not null).Distinct(StringComparer.Ordinal);
            if (hashes.Count() > 1)
            {
                mismatched.Add(table);
            }
        }

        foreach (var peer in reachable.SelectMany(m => m.Health!.Peers))
        {
            mismatched.UnionWith(peer.SchemaMismatches);
        }

        return mismatched.Count == 0
            ? Condition(ConditionTypes.SchemaConsistent, ConditionStatus.True, ConditionReasons.SchemasMatch, "every replicated table has the same schema on every member")
            : Condition(ConditionTypes.SchemaConsistent, ConditionStatus.False, ConditionReasons.SchemaMismatch,
                $"schema differs between members for tables: {string.Join("; ", mismatched.Select(t => t + " (" + SchemaDetail(reachable, t) + ")"))}");
    }

    /// <summary>Which members hold which version of a table: <c>a, b | c; missing on d</c>.</summary>
    private static string SchemaDetail(List<MemberObservation> reachable, string table)
    {
        var groups = reachable.GroupBy(m => m.Health!.SchemaHashes.GetValueOrDefault(table)).ToList();
        var present = groups.Where(g => g.Key is not null)
            .Select(g => string.Join(", ", g.Select(m => m.Pod).Order(StringComparer.Ordinal)))
            .Order(StringComparer.Ordinal).ToList();
        var missing = groups.Where(g => g.Key is null).SelectMany(g => g.Select(m => m.Pod)).Order(StringComparer.Ordinal).ToList();
        var parts = new List<string>();
        if (present.Count > 1)
        {
            parts.Add(string.Join(" | ", present));
        }

        if (missing.Count > 0)
        {
            parts.Add("missing on " + string.Join(", ", missing));
        }

        return parts.Count > 0 ? string.Join("; ", parts) : "reported by the members' peers";
    }

    private static MeshCondition Degraded(IReadOnlyList<MemberObservation> members)
    {
        var unreachable = members.Where(m => !m.Reachable).ToList();
        if (unreachable.Count > 0)
        {
            var detail = string.Join("; ", unreachable.Select(m => $"{m.Pod}: {m.Error}"));
            return Condition(ConditionTypes.Degraded, ConditionStatus.True, ConditionReasons.MemberUnreachable, $"unreachable: {detail}");
        }

        // A Redis outage makes every member on the Redis transport unhealthy at once: name Redis, not the members.
        var cutOff = members.Where(m => m.Health!.Redis is { } r && (!r.Connected || r.Circuit == CircuitState.Open)).ToList();
        if (cutOff.Count > 0)
        {
            var redis = cutOff[0].Health!.Redis!;
            return Condition(ConditionTypes.Degraded, ConditionStatus.True, ConditionReasons.RedisUnavailable,
                $"Redis {redis.Url} unavailable to {Names([.. cutOff.Select(m => m.Pod)])}"
                + (redis.LastError is { Length: > 0 } error ? $": {error}" : "")
                + "; changes are kept and published when it is back");
        }

        var failed = members.Where(m => m.Health!.State == EngineState.Failed || !m.Health.Healthy).Select(m => m.Pod).ToList();
        if (failed.Count > 0)
        {
            return Condition(ConditionTypes.Degraded, ConditionStatus.True, ConditionReasons.MemberFailed, $"unhealthy: {Names(failed)}");
        }

        var open = members
            .SelectMany(m => m.Health!.Peers.Where(p => p.Circuit == CircuitState.Open).Select(p => $"{m.Pod}→{p.Name}"))
            .ToList();
        return open.Count > 0
            ? Condition(ConditionTypes.Degraded, ConditionStatus.True, ConditionReasons.PeerCircuitOpen, $"peer links down: {string.Join(", ", open)}")
            : Condition(ConditionTypes.Degraded, ConditionStatus.False, ConditionReasons.AsExpected, "all members reachable and healthy");
    }

    internal static MeshCondition Condition(string type, ConditionStatus status, string reason, string message) =>
        new() { Type = type, Status = status, Reason = reason, Message = message };

    internal static string Names(List<string> pods) =>
        pods.Count <= 5 ? string.Join(", ", pods) : string.Join(", ", pods.Take(5)) + $" and {pods.Count - 5} more";

    private static string Short(string root) => root.Length > 12 ? root[..12] : root;
}
