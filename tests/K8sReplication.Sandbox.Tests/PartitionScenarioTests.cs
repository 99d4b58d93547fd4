namespace K8sReplication.Sandbox.Tests;

public sealed class PartitionScenarioTests
{
    [Fact]
    public async Task PartitionScenario_ReachesItsNarratedOutcome_AndConverges()
    {
        var run = await SandboxProcess.RunAsync("--scenario", "partition", "--duration", "1s");

        run.AssertCleanExit();
        Assert.Matches(@"outcome: partition — healed and converged: both sides' writes are on every member, the concurrent edit's loser is in a conflict log", run.Output);
        // Whichever edit won, the other is found whole in the conflict log of the member(s) that held it.
        Assert.Matches(
            @"conflict log: notes-\d(, notes-\d)* kept the losing write of (notes-2: 'edited inside the partition on notes-2'|notes-0: 'edited outside the partition on notes-0') "
            + @"\(reason lww, site [0-9a-f]{32}\); the winner is notes-[02]'s \(site [0-9a-f]{32}\): 'edited (in|out)side the partition on notes-[02]' on every member",
            run.Output);
        Assert.Contains("scenario=partition outcome=reached", run.Output);
        Assert.Matches(@"converged: true members=3 ", run.Output);
    }
}
