using K8sReplication.Contracts.Mesh;

namespace K8sReplication.Sandbox.Scenarios;

/// <summary>kill -9 of one sidecar while the app keeps writing (on that member too), restart, and catch-up.</summary>
internal static class KillScenario
{
    public static async Task<ScenarioOutcome> RunAsync(SandboxContext context, CancellationToken cancellationToken)
    {
        var say = context.Narrator.Say;
        var victim = context.Members.All[1];
        say($"scenario kill: kill -9 of {victim.Name}'s sidecar (pid {victim.Pid}); the app keeps writing on every member, {victim.Name} included");
        victim.KillSidecar();

        var written = MarkedNotes.Insert(victim, "written while the sidecar was dead", 10);
        say($"the app wrote {written.Count} notes on {victim.Name} while its sidecar is dead (captured by triggers in the app's transactions)");

        var (degraded, seen) = await context.WaitForAsync(
            s => s.Condition(ConditionTypes.Degraded) == nameof(ConditionStatus.True), TimeSpan.FromSeconds(30), cancellationToken);
        say(degraded
            ? $"operator reports Degraded=True (reason {seen.ConditionReason(ConditionTypes.Degraded)}), ready members {seen.Mesh?.ReadyMembers}/{seen.Mesh?.TotalMembers}"
            : "operator has not reported the member down yet");

        await victim.RestartAsync(cancellationToken);
        say($"{victim.Name}: sidecar restarted (pid {victim.Pid}) on the same ports, same database");

        var (converged, final) = await context.QuiesceAndConvergeAsync(cancellationToken);
        var delivered = MarkedNotes.EverywhereAll(context.Members.All, written);
        var reached = converged && delivered;
        return new ScenarioOutcome(reached, reached
            ? $"outcome: kill — {victim.Name} restarted and caught up; the {written.Count} notes written while its sidecar was dead reached every member; converged on root {final.Root} with {final.Rows} rows"
            : $"outcome: kill — NOT converged (mesh converged={converged}, dead-time notes everywhere={delivered})");
    }
}
