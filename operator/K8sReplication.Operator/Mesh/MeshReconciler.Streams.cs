using System.Collections.Concurrent;
using K8sReplication.Kube.Events;
using K8sReplication.Operator.Runtime;

namespace K8sReplication.Operator.Mesh;

internal sealed partial class MeshReconciler
{
    /// <summary>The last stream trim each member reported per peer, by "mesh/pod/peer": what was already recorded.</summary>
    private readonly ConcurrentDictionary<string, string> _trims = new(StringComparer.Ordinal);

    /// <summary>
    /// With the Redis transport a member reports, per peer, the last time that peer's stream was trimmed past its
    /// cursor (its changes then came from anti-entropy). Each new report becomes a warning Event on the mesh: the
    /// stream is too short for the member's outages (spec.hotPath.redis.streamMaxLen). Kept in memory: after an
    /// operator restart a report seen before is recorded once more, and the recorder folds it into its series.
    /// </summary>
    private async Task RecordStreamTrimsAsync(ReplicationMesh mesh, IReadOnlyList<MemberObservation> observations, CancellationToken cancellationToken)
    {
        var meshKey = ObjectKey.Of(mesh);
        foreach (var member in observations.Where(o => o.Health is not null))
        {
            foreach (var peer in member.Health!.Peers.Where(p => p.LastTrim is not null))
            {
                var key = $"{meshKey}/{member.Pod}/{peer.Name}";
                if (_trims.TryGetValue(key, out var seen) && seen == peer.LastTrim)
                {
                    continue;
                }

                _trims[key] = peer.LastTrim!;
                await RecordAsync(mesh, EventRecorder.Warning, "StreamTrimmed",
                    $"pod {member.Pod}: the Redis stream of peer {peer.Name} was trimmed past its cursor ({peer.LastTrim}); raise spec.hotPath.redis.streamMaxLen to cover the longest member outage",
                    cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Forgets what was recorded for a mesh that is gone.</summary>
    private void ForgetStreamTrims(string meshKey)
    {
        foreach (var key in _trims.Keys.Where(k => k.StartsWith(meshKey + "/", StringComparison.Ordinal)))
        {
            _trims.TryRemove(key, out _);
        }
    }
}
