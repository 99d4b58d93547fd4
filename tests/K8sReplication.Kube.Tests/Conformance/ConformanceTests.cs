using Xunit.Abstractions;

namespace K8sReplication.Kube.Tests.Conformance;

/// <summary>
/// Runs every client scenario against a real cluster when K8SREPL_REAL_CLUSTER=1 and KUBECONFIG are set, else against
/// the emulator — and says which, so a green run never pretends a real cluster was used.
/// </summary>
public sealed class ConformanceTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(ClientScenarios.Names), MemberType = typeof(ClientScenarios))]
    public async Task Scenario_PassesOnTheConfiguredTarget(string scenario)
    {
        var real = ClientTarget.RealClusterConfigured;
        await using var target = await ClientTarget.CreateAsync(real);
        output.WriteLine($"{scenario}: running against {(real ? "the real cluster in KUBECONFIG" : "the API emulator")}");
        await ClientScenarios.All[scenario](target);
    }

    [Fact]
    public async Task RealCluster_IsUsedWhenConfigured_OtherwiseTheReportSaysEmulatorOnly()
    {
        if (ClientTarget.RealClusterConfigured)
        {
            await using var target = await ClientTarget.CreateAsync(realCluster: true);
            Assert.True(target.IsRealCluster);
            output.WriteLine($"real cluster configured: conformance scenarios ran against {target.Client.BaseUri}");
            return;
        }

        output.WriteLine("real cluster not configured (set K8SREPL_REAL_CLUSTER=1 and KUBECONFIG): "
            + "conformance scenarios ran against the emulator only");
        Console.WriteLine("[K8sReplication.Kube.Tests] real cluster not configured: conformance scenarios ran against the emulator only");
        await using var emulated = await ClientTarget.CreateAsync(realCluster: false);
        Assert.False(emulated.IsRealCluster);
        Assert.NotNull(emulated.Emulator);
        Assert.NotEmpty(ClientScenarios.All);
    }
}
