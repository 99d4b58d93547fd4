using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using K8sReplication.Contracts;
using K8sReplication.Sandbox.Members;

namespace K8sReplication.Sandbox.Scenarios;

/// <summary>
/// One member is cut off from its peers in both directions while the app writes on both sides, then healed. The cut
/// is made with the product's own controls: the mesh is paused (the operator stops pushing) and each sidecar is
/// sent, through its admin API, the operator's config for it minus the other side. Unpausing heals: the operator
/// pushes a newer generation with the full peer lists, and hot path plus anti-entropy reconcile the two histories.
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
        var reached = converged && merged && leaked == 0;
        return new ScenarioOutcome(reached, reached
            ? $"outcome: partition — healed and converged: both sides' writes are on every member; {final.Members.Count} members on root {final.Root} with {final.Rows} rows"
            : $"outcome: partition — NOT converged (converged={converged}, both sides merged={merged}, crossed the cut while partitioned={leaked})");
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
