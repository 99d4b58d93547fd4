using K8sReplication.TestKit;
using K8sReplication.TestKit.Tools;

namespace K8sReplication.Operator.Tests.Integration;

/// <summary>The Events the real operator writes (events.k8s.io/v1), as a user reads them with the real kubectl.</summary>
public sealed class OperatorEventsTests
{
    [Fact]
    public async Task MemberJoined_ShowsInKubectlDescribeRmesh_AndKubectlGetEvents()
    {
        await using var scenario = await OperatorScenario.StartAsync();
        await scenario.AddMemberAsync("demo-0");
        await scenario.StartOperatorAsync();
        await scenario.CreateMeshAsync("demo");
        await scenario.WaitForMeshAsync("demo", m => OperatorScenario.Settled(m, 1), "one settled member");

        var describe = await Eventually.ValueAsync(
            async () =>
            {
                var run = await ExternalTool.Kubectl.RunAsync(["--kubeconfig", scenario.Kubeconfig, "describe", "rmesh", "demo"]);
                Assert.True(run.ExitCode == 0, run.Stderr);
                return run.Stdout[run.Stdout.IndexOf("Events:", StringComparison.Ordinal)..];
            },
            events => events.Contains("MemberJoined", StringComparison.Ordinal),
            OperatorScenario.Deadline,
            "kubectl describe rmesh to list the operator's MemberJoined Event");
        Assert.Contains("replication.k8srepl.dev/operator", describe, StringComparison.Ordinal);
        Assert.Contains("pod demo-0 joined the mesh", describe, StringComparison.Ordinal);

        var get = await ExternalTool.Kubectl.RunAsync(["--kubeconfig", scenario.Kubeconfig, "get", "events", "--field-selector", "involvedObject.kind=ReplicationMesh"]);
        Assert.True(get.ExitCode == 0, get.Stderr);
        Assert.Contains(get.Stdout.Split('\n'), line => line.Contains("MemberJoined", StringComparison.Ordinal) && line.Contains("replicationmesh/demo", StringComparison.Ordinal));
    }
}
