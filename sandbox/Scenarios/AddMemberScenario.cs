namespace K8sReplication.Sandbox.Scenarios;

/// <summary>A new pod with an empty database joins: the operator adds it to every peer list and it converges.</summary>
internal static class AddMemberScenario
{
    public static async Task<ScenarioOutcome> RunAsync(SandboxContext context, CancellationToken cancellationToken)
    {
        var say = context.Narrator.Say;
        var name = SandboxContext.MemberName(context.Members.All.Count);
        var before = context.Members.All.Count;
        say($"scenario add-member: starting {name} with an empty database while the app keeps writing");
        var member = await context.StartMemberAsync(name, cancellationToken);

        var (seen, _) = await context.WaitForAsync(s => s.Mesh?.TotalMembers == before + 1, TimeSpan.FromSeconds(60), cancellationToken);
        say(seen ? $"operator sees {before + 1} members and pushes the new peer lists" : $"operator has not picked up {name} yet");

        var (converged, final) = await context.QuiesceAndConvergeAsync(cancellationToken);
        var rows = final.Members.FirstOrDefault(m => m.Name == member.Name)?.Rows ?? 0;
        return new ScenarioOutcome(converged, converged
            ? $"outcome: add-member — {name} joined and converged: it holds all {rows} rows; {before + 1} members on root {final.Root}"
            : $"outcome: add-member — NOT converged ({name} has {rows} rows, mesh converged={final.Condition(Contracts.Mesh.ConditionTypes.Converged)})");
    }
}
