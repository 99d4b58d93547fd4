using System.Collections.Concurrent;
using K8sReplication.Operator.Sidecars;

namespace K8sReplication.Operator.Mesh;

internal sealed partial class MeshReconciler
{
    /// <summary>Reads every member's <c>/v1/status</c> with bounded concurrency; a failed read is an observation too.</summary>
    private async Task<IReadOnlyList<MemberObservation>> ObserveAsync(IReadOnlyList<MeshMemberEndpoint> members, string? token,
        CancellationToken cancellationToken)
    {
        var results = new ConcurrentDictionary<string, MemberObservation>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(members, Parallelism(cancellationToken), async (member, ct) =>
            results[member.Pod] = await ObserveOneAsync(member, token, ct).ConfigureAwait(false)).ConfigureAwait(false);
        return [.. members.Select(m => results[m.Pod])];
    }

    private async Task<MemberObservation> ObserveOneAsync(MeshMemberEndpoint member, string? token, CancellationToken cancellationToken)
    {
        try
        {
            var health = await _sidecars.GetStatusAsync(member.AdminUrl, token, cancellationToken).ConfigureAwait(false);
            return new MemberObservation(member.Pod, member.ReplicationUrl, member.AdminUrl, health, null, _time.GetUtcNow())
            {
                Terminating = member.Terminating,
            };
        }
        catch (SidecarRequestException ex)
        {
            return new MemberObservation(member.Pod, member.ReplicationUrl, member.AdminUrl, null, ex.Message, _time.GetUtcNow())
            {
                Terminating = member.Terminating,
            };
        }
    }

    /// <summary>
    /// Pushes the desired config to every reachable member not yet running this mesh's generation, then reads those
    /// members again so the status reflects the push. Unreachable members are left to a later reconcile (the short
    /// requeue), as is a member that answers 409 because it runs a newer generation (the next round goes above it).
    /// </summary>
    private async Task<(IReadOnlyList<MemberObservation> Observations, bool Failed)> PushOutdatedAsync(string mesh, DesiredMeshConfig desired,
        long generation, IReadOnlyList<MemberObservation> observations, string? token, CancellationToken cancellationToken)
    {
        var outdated = observations
            .Where(o => o.Reachable && (o.Health!.ConfigGeneration != generation || o.Health.Mesh != mesh))
            .ToList();
        var failed = observations.Any(o => !o.Reachable);
        if (outdated.Count == 0)
        {
            return (observations, failed);
        }

        var refreshed = new ConcurrentDictionary<string, MemberObservation>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(outdated, Parallelism(cancellationToken), async (member, ct) =>
        {
            var config = desired.ForPush(member.Pod, generation);
            try
            {
                await _sidecars.PushConfigAsync(member.AdminUrl, token, config, ct).ConfigureAwait(false);
                LogPushed(_logger, mesh, member.Pod, generation, config.Peers?.Count ?? 0);
            }
            catch (SidecarRequestException ex)
            {
                failed = true;
                LogPushFailed(_logger, mesh, member.Pod, generation, ex.Message);
            }

            refreshed[member.Pod] = await ObserveOneAsync(new MeshMemberEndpoint(member.Pod, member.ReplicationUrl, member.AdminUrl, member.Terminating), token, ct)
                .ConfigureAwait(false);
        }).ConfigureAwait(false);

        return ([.. observations.Select(o => refreshed.GetValueOrDefault(o.Pod) ?? o)], failed);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Mesh {Mesh}: pushed config generation {Generation} to {Pod} ({Peers} peers)")]
    private static partial void LogPushed(ILogger logger, string mesh, string pod, long generation, int peers);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mesh {Mesh}: push of config generation {Generation} to {Pod} failed: {Reason}")]
    private static partial void LogPushFailed(ILogger logger, string mesh, string pod, long generation, string reason);
}
