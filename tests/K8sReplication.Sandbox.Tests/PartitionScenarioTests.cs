namespace K8sReplication.Sandbox.Tests;

public sealed class PartitionScenarioTests
{
    [Fact]
    public async Task PartitionScenario_ReachesItsNarratedOutcome_AndConverges()
    {
        var run = await SandboxProcess.RunAsync("--scenario", "partition", "--duration", "1s");

        run.AssertCleanExit();
        Assert.Matches(@"outcome: partition — healed and converged: both sides' writes are on every member", run.Output);
        Assert.Contains("scenario=partition outcome=reached", run.Output);
        Assert.Matches(@"converged: true members=3 ", run.Output);
    }
}
