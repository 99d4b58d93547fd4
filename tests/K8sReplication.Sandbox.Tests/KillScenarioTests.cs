namespace K8sReplication.Sandbox.Tests;

public sealed class KillScenarioTests
{
    [Fact]
    public async Task KillScenario_ReachesItsNarratedOutcome_AndConverges()
    {
        var run = await SandboxProcess.RunAsync("--scenario", "kill", "--duration", "1s");

        run.AssertCleanExit();
        Assert.Matches(@"outcome: kill — notes-1 restarted and caught up; the 10 notes written while its sidecar was dead reached every member", run.Output);
        Assert.Contains("scenario=kill outcome=reached", run.Output);
        Assert.Matches(@"converged: true members=3 ", run.Output);
    }
}
