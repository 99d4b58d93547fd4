namespace K8sReplication.Sandbox.Tests;

public sealed class AddMemberScenarioTests
{
    [Fact]
    public async Task AddMemberScenario_ReachesItsNarratedOutcome_AndConverges()
    {
        var run = await SandboxProcess.RunAsync("--scenario", "add-member", "--duration", "1s");

        run.AssertCleanExit();
        Assert.Matches(@"outcome: add-member — notes-3 joined and converged: it holds all \d+ rows; 4 members", run.Output);
        Assert.Contains("scenario=add-member outcome=reached", run.Output);
        Assert.Matches(@"converged: true members=4 ", run.Output);
    }
}
