namespace K8sReplication.Sandbox.Tests;

public sealed class SandboxRunTests
{
    [Fact]
    public async Task ThreeMembers_ForTwentySeconds_ReportConvergedMesh_ExitZero_AndLeaveNoProcess()
    {
        var run = await SandboxProcess.RunAsync("--members", "3", "--duration", "20s");

        Assert.True(File.Exists(Path.Combine(run.Dir, "notes-2", "app.db")), "each member has its own app database under the sandbox folder");
        run.AssertCleanExit();
        Assert.Matches(@"converged: true members=3 rows=[1-9]\d* root=[0-9a-f]{12} writes=[1-9]\d* events=[1-9]", run.Output);
        // INTEGER keys from each member's own range: every event on every member, none lost to a collision.
        Assert.Matches(
            @"events: (?<n>[1-9]\d*) on every member, \k<n> written by the app \(notes-0 \d+, notes-1 \d+, notes-2 \d+\), each id in its member's own range; conflicts on events: 0",
            run.Output);
        Assert.Contains("mesh ready: 3 members, Ready=True, Converged=True", run.Output);
        Assert.Contains("kubectl get rmesh -w", run.Output);
        Assert.Contains("sqlite3 ", run.Output);
    }

    /// <summary>The sample mesh archives its backup, and <c>--prometheus</c> starts a real Prometheus that scrapes every sidecar and the operator.</summary>
    [Fact]
    public async Task WithPrometheus_EveryTargetIsScraped_AndTheMeshArchivesItsBackup()
    {
        var run = await SandboxProcess.RunAsync("--members", "2", "--duration", "15s", "--prometheus");

        Assert.NotEmpty(Directory.GetFiles(Path.Combine(run.Dir, "backup", "default", "notes", "segments"), "*.seg", SearchOption.AllDirectories));
        run.AssertCleanExit(); // removes the sandbox folder
        Assert.Matches(@"prometheus: 3 of 3 targets up \(http://127\.0\.0\.1:\d+/\)", run.Output);
        Assert.Contains(" restore --from file://", run.Output);
    }

    [Fact]
    public async Task UnknownFlag_ExitsTwo_NamingTheFlag()
    {
        var run = await SandboxProcess.RunAsync("--members", "0");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--members: '0' is not a number from 1 to 9", run.Output);
        Assert.Empty(run.ProcessesLeft());
    }
}
