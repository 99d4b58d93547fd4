using System.Text.Json;
using K8sReplication.TestKit.Kube;

namespace K8sReplication.Operator.Tests.Integration;

/// <summary>
/// The operator and the kubectl plugin with a kubeconfig whose only credential is an exec plugin (as on EKS, GKE or
/// Entra-ID AKS): a shell script printing an ExecCredential with a token the emulator accepts.
/// </summary>
public sealed class ExecCredentialTests
{
    [Fact]
    public async Task OperatorAndPlugin_WithAnExecPluginKubeconfig_ReconcileAndReport()
    {
        await using var scenario = await OperatorScenario.StartAsync();
        var exec = ExecCredentialKubeconfig.Write(scenario.Api, Path.Combine(scenario.Folder, "exec"), OperatorScenario.Namespace);

        // The emulator accepts the plugin's token and the test's own; the operator and the plugin have only the plugin.
        scenario.Api.AcceptedTokens = new HashSet<string> { exec.Token, scenario.Api.KubeconfigToken };
        await Task.WhenAll(scenario.AddMemberAsync("demo-0"), scenario.AddMemberAsync("demo-1"));
        var op = await scenario.StartOperatorWithKubeconfigAsync(exec.Path);
        await scenario.CreateMeshAsync("demo");
        await scenario.WaitForMeshAsync("demo", m => OperatorScenario.Settled(m, 2), "the operator, authenticated by the exec plugin, settles the mesh");
        var operatorRuns = exec.Invocations;
        Assert.True(operatorRuns >= 1, "the operator ran the credential plugin");
        Assert.DoesNotContain(scenario.Api.Requests, r => r.StatusCode == 401);

        var status = await PluginProcess.RunAsync(exec.Path, "status", "demo", "-o", "json");
        Assert.True(status.ExitCode == 0, status.Stderr);
        using (var document = JsonDocument.Parse(status.Stdout))
        {
            var members = document.RootElement.GetProperty("members").EnumerateArray().ToList();
            Assert.Equal(["demo-0", "demo-1"], members.Select(m => m.GetProperty("pod").GetString()));
            Assert.All(members, m => Assert.True(m.GetProperty("ready").GetBoolean()));
        }

        Assert.True(exec.Invocations > operatorRuns, "the plugin ran the credential plugin too");
        Assert.False(op.HasExited);
    }
}
