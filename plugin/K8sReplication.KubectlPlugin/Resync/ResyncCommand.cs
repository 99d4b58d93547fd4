using System.Globalization;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Health;
using K8sReplication.Contracts.Json;
using K8sReplication.KubectlPlugin.Cluster;
using K8sReplication.KubectlPlugin.Output;

namespace K8sReplication.KubectlPlugin.Resync;

/// <summary>
/// <c>resync MESH MEMBER</c>: asks the member's sidecar for an anti-entropy round against every peer now
/// (<c>POST /v1/antientropy</c>), then reads its status until every peer's last round is a new one, and reports them.
/// </summary>
internal static class ResyncCommand
{
    /// <summary>How long the plugin waits for every round to finish (each round has the sidecar's own deadline too).</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    public static async Task<IReadOnlyList<PeerRound>> RunAsync(MeshConnection connection, string meshName, string member, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(time);
        var mesh = await connection.GetMeshAsync(meshName, cancellationToken);
        if (!mesh.MemberPods.Contains(member, StringComparer.Ordinal))
        {
            throw new PluginException($"pod \"{member}\" is not a member of mesh \"{meshName}\" (members: {string.Join(", ", mesh.MemberPods)})");
        }

        var token = await connection.ReadTokenAsync(mesh, cancellationToken);
        var port = SidecarPorts.Admin(await connection.GetPodAsync(member, cancellationToken), mesh.Spec);
        var before = await StatusAsync(connection, member, port, cancellationToken);
        if (!before.Ready)
        {
            throw new PluginException($"member {member} is not ready (state {before.State})");
        }

        if (before.Peers.Count == 0)
        {
            throw new PluginException($"member {member} has no peers to repair from");
        }

        var previous = before.Peers.ToDictionary(p => p.Name, p => p.LastAntiEntropy?.At, StringComparer.Ordinal);
        await connection.SidecarPostAsync(member, port, Paths.AntiEntropy, token, cancellationToken);
        var started = time.GetTimestamp();
        while (true)
        {
            var peers = (await StatusAsync(connection, member, port, cancellationToken)).Peers;
            var finished = NewRounds(peers, previous);
            if (finished.Count == peers.Count)
            {
                return finished;
            }

            if (time.GetElapsedTime(started) > Deadline)
            {
                var waiting = peers.Select(p => p.Name).Except(finished.Select(f => f.Peer), StringComparer.Ordinal);
                throw new PluginException($"member {member}: no anti-entropy round finished within {Deadline.TotalSeconds:0}s against {string.Join(", ", waiting)}");
            }

            await Task.Delay(PollInterval, time, cancellationToken);
        }
    }

    /// <summary>
    /// The peers whose last round is newer than <paramref name="previous"/> (each peer's round time before the request).
    /// A scheduled round that waited for a delivering feed (<c>deferred</c>) is not the requested one, which never waits.
    /// </summary>
    public static List<PeerRound> NewRounds(IEnumerable<PeerHealth> peers, IReadOnlyDictionary<string, DateTimeOffset?> previous)
    {
        ArgumentNullException.ThrowIfNull(peers);
        ArgumentNullException.ThrowIfNull(previous);
        return [.. peers
            .Where(p => p.LastAntiEntropy is { Result: not "deferred" } round && (!previous.TryGetValue(p.Name, out var at) || round.At != at))
            .Select(p => new PeerRound(p.Name, p.LastAntiEntropy!))];
    }

    public static string Table(string member, IReadOnlyList<PeerRound> rounds, Palette palette)
    {
        ArgumentNullException.ThrowIfNull(rounds);
        ArgumentNullException.ThrowIfNull(palette);
        var rows = rounds.Select(r => (IReadOnlyList<string>)
        [
            r.Peer,
            r.Round.Result switch
            {
                "equal" or "repaired" => palette.Good(r.Round.Result),
                "failed" => palette.Bad(r.Round.Result),
                _ => palette.Warn(r.Round.Result),
            },
            r.Round.RowsRepaired.ToString(CultureInfo.InvariantCulture),
            r.Round.DurationSeconds.ToString("0.00", CultureInfo.InvariantCulture) + "s",
            r.Round.Error ?? "",
        ]).ToList();
        return $"anti-entropy rounds of {member}:\n" + TextTable.Render(["PEER", "RESULT", "ROWS REPAIRED", "DURATION", "ERROR"], rows);
    }

    private static Task<SidecarHealth> StatusAsync(MeshConnection connection, string member, int port, CancellationToken cancellationToken) =>
        connection.SidecarGetAsync(member, port, Paths.Status, null, ContractsJsonContext.Default.SidecarHealth, cancellationToken);
}
