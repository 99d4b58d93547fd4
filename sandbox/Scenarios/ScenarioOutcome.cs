namespace K8sReplication.Sandbox.Scenarios;

/// <summary>How a scripted demonstration ended: whether it reached its goal, and the line that says so.</summary>
internal sealed record ScenarioOutcome(bool Reached, string Line);
