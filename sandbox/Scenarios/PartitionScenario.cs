using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Conflicts;
using K8sReplication.Sandbox.Members;

namespace K8sReplication.Sandbox.Scenarios;

/// <summary>
/// One member is cut off from its peers in both directions while the app writes on both sides, then healed. The cut
/// is made with the product's own controls: the mesh is paused (the operator stops pushing) and each sidecar is
/// sent, through its admin API, the operator's config for it minus the other side. Unpausing heals: the operator
/// pushes a newer generation with the full peer lists, and hot path plus anti-entropy reconcile the two histories.
/// While cut off, both sides also edit the same note: after healing one edit is on every member and the other is
/// found, whole, in the conflict log of the member(s) that held it (<c>GET /v1/conflicts</c>).
/// </summary>
internal static class PartitionScenario
{
    public static async Task<ScenarioOutcome> RunAsync(SandboxContext context, string token, CancellationToken cancellationToken)
    {
        var say = context.Narrator.Say;
        var members = context.Members.All;
        var isolated = members[^1];
        var others = members.Take(members.Count - 1).ToList();
        var otherNames = string.Join(", ", others.Select(m => m.Name));
        say($"scenario partition: cutting {isolated.Name} off from {otherNames} (mesh paused, peer lists pushed without the other side)");

        // A note that both sides will edit while apart: first it must be on every member.
        var shared = MarkedNotes.Insert(others[0], "the note both sides will edit", 1)[0];
        var (sharedEverywhere, _) = await context.WaitForAsync(_ => MarkedNotes.EverywhereAll(members, [shared]), TimeSpan.FromSeconds(30), cancellationToken);
        if (!sharedEverywhere)
        {
            return new ScenarioOutcome(false, $"outcome: partition — note {shared} written on {others[0].Name} did not reach every member before the cut");
        }

        say($"note {shared} (written on {others[0].Name}) is on every member; both sides will edit it while apart");
        await context.Cluster.SetPausedAsync(true, cancellationToken);
        var (paused, _) = await context.WaitForAsync(s => s.Mesh?.Phase == "Paused", TimeSpan.FromSeconds(30), cancellationToken);
        if (!paused)
        {
            return new ScenarioOutcome(false, "outcome: partition — the operator never reported the mesh Paused");
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var member in members)
        {
            var keep = member == isolated ? [] : others.Where(o => o != member).Select(o => o.Name).ToHashSet();
            await PushPeersAsync(context, http, token, member, keep, cancellationToken);
        }

        var isolatedSide = MarkedNotes.Insert(isolated, "written inside the partition", 8);
        var majoritySide = MarkedNotes.Insert(others[0], "written outside the partition", 8);
        say($"both sides accept writes: {isolatedSide.Count} notes on {isolated.Name}, {majoritySide.Count} on {others[0].Name} (plus the app's random writes)");

        var isolatedEdit = $"edited inside the partition on {isolated.Name}";
        var majorityEdit = $"edited outside the partition on {others[0].Name}";
        MarkedNotes.Update(isolated, shared, isolatedEdit);
        MarkedNotes.Update(others[0], shared, majorityEdit);
        say($"both sides edit note {shared}: '{isolatedEdit}' on {isolated.Name}, '{majorityEdit}' on {others[0].Name} "
            + "(concurrent updates of one row: one will win, the other goes to a conflict log)");

        // Let the sides drift for a few seconds of app writes; replication across the cut must not happen.
        await Task.Delay(TimeSpan.FromSeconds(4), cancellationToken);
        var leaked = MarkedNotes.CountPresent(isolated, majoritySide) + others.Sum(o => MarkedNotes.CountPresent(o, isolatedSide));
        var apart = await context.CaptureAsync(cancellationToken);
        say($"while partitioned: {isolated.Name} has {Rows(apart, isolated)} rows, {others[0].Name} has {Rows(apart, others[0])}; "
            + $"notes that crossed the cut: {leaked}");

        await context.Cluster.SetPausedAsync(false, cancellationToken);
        say("healed: mesh unpaused; the operator pushes the full peer lists again");

        var (converged, final) = await context.QuiesceAndConvergeAsync(cancellationToken);
        var merged = MarkedNotes.EverywhereAll(context.Members.All, [.. isolatedSide, .. majoritySide]);

        // The edit every member kept names the winner; the other one must be in a conflict log, whole.
        var bodies = context.Members.All.Select(m => MarkedNotes.Body(m, shared)).Distinct().ToList();
        var winningBody = bodies.Count == 1 ? bodies[0] : null;
        var (winner, loser, losingBody) = winningBody == majorityEdit ? (others[0], isolated, isolatedEdit) : (isolated, others[0], majorityEdit);
        var logged = false;
        if (winningBody != isolatedEdit && winningBody != majorityEdit)
        {
            say($"note {shared} does not hold one of the two edits on every member: {string.Join(" | ", bodies.Select(b => b ?? "(missing)"))}");
        }
        else
        {
            var (holders, entry) = await FindLoggedLoserAsync(context.Members.All, http, shared, losingBody, loser, winner, cancellationToken);
            logged = entry is not null;
            say(entry is not null
                ? $"conflict log: {string.Join(", ", holders)} kept the losing write of {loser.Name}: '{losingBody}' (reason {entry.Reason}, site {entry.Loser.Site}); "
                    + $"the winner is {winner.Name}'s (site {entry.Winner.Site}): '{winningBody}' on every member"
                : $"conflict log: no member logged the losing write of {loser.Name} ('{losingBody}'), though '{winningBody}' won on every member");
        }

        var reached = converged && merged && leaked == 0 && logged;
        return new ScenarioOutcome(reached, reached
            ? $"outcome: partition — healed and converged: both sides' writes are on every member, the concurrent edit's loser is in a conflict log; "
                + $"{final.Members.Count} members on root {final.Root} with {final.Rows} rows"
            : $"outcome: partition — NOT converged (converged={converged}, both sides merged={merged}, crossed the cut while partitioned={leaked}, "
                + $"losing edit in a conflict log={logged})");
    }

    /// <summary>
    /// Reads every member's conflict log for <c>notes</c> until some member holds the losing edit of note
    /// <paramref name="id"/> (its body, written by <paramref name="loser"/>, beaten by <paramref name="winner"/>) or a
    /// deadline passes. The entry is written with the winner, so it is normally there at the first read.
    /// </summary>
    private static async Task<(IReadOnlyList<string> Holders, ConflictRecord? Entry)> FindLoggedLoserAsync(IReadOnlyList<Member> members,
        HttpClient http, string id, string losingBody, Member loser, Member winner, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var holders = new List<string>();
            ConflictRecord? found = null;
            foreach (var member in members)
            {
                IReadOnlyList<ConflictRecord> entries;
                try
                {
                    entries = await member.ReadConflictsAsync(http, AppSchema.Table, cancellationToken);
                }
                catch (HttpRequestException)
                {
                    continue;
                }

                var entry = entries.FirstOrDefault(e => e.Key is [string key] && key == id
                    && e.Loser.Values is { } values && values.Contains(losingBody)
                    && string.Equals(e.Loser.Site, loser.Site, StringComparison.OrdinalIgnoreCase)
                    && string.Equals(e.Winner.Site, winner.Site, StringComparison.OrdinalIgnoreCase));
                if (entry is not null)
                {
                    holders.Add(member.Name);
                    found ??= entry;
                }
            }

            if (found is not null || Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(15))
            {
                return (holders, found);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
    }

    private static long Rows(View.ClusterSnapshot snapshot, Member member) => snapshot.Members.FirstOrDefault(m => m.Name == member.Name)?.Rows ?? -1;

    /// <summary>PUT /v1/config with the operator's config for this member, its peers filtered, one generation above.</summary>
    private static async Task PushPeersAsync(SandboxContext context, HttpClient http, string token, Member member, IReadOnlySet<string> keep,
        CancellationToken cancellationToken)
    {
        var json = await context.Cluster.GetMemberConfigJsonAsync(member.Name, cancellationToken)
            ?? throw new InvalidOperationException($"the operator's ConfigMap has no entry for {member.Name}");
        var config = JsonNode.Parse(json)!.AsObject();
        var generation = config["generation"]?.GetValue<long>() ?? 0;
        config["generation"] = generation + 1;
        config["paused"] = false;
        var peers = new JsonArray();
        foreach (var peer in config["peers"]?.AsArray() ?? [])
        {
            if (peer?["name"]?.GetValue<string>() is { } name && keep.Contains(name))
            {
                peers.Add(peer.DeepClone());
            }
        }

        config["peers"] = peers;
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(member.AdminUrl, Paths.Config))
        {
            Content = new StringContent(config.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(
                $"{member.Name}: PUT /v1/config answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }
}
