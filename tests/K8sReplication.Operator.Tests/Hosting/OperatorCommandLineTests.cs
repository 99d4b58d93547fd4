using K8sReplication.Operator.Hosting;
using K8sReplication.TestKit.Processes;

namespace K8sReplication.Operator.Tests.Hosting;

public sealed class OperatorCommandLineTests
{
    [Fact]
    public void Parse_AllFlags_AreRead()
    {
        var (options, error) = OperatorCommandLine.Parse(["--kubeconfig", "/k", "--namespace", "apps", "--health-listen", "127.0.0.1:0",
            "--metrics-listen=0.0.0.0:9090", "--leader-elect", "--lease-namespace", "ops", "--resync", "1m30s", "--max-concurrent-reconciles", "7"]);
        Assert.Null(error);
        Assert.Equal("/k", options!.Kubeconfig);
        Assert.Equal("apps", options.Namespace);
        Assert.Equal(0, options.HealthListen.Port);
        Assert.Equal(9090, options.MetricsListen.Port);
        Assert.True(options.LeaderElect);
        Assert.Equal("ops", options.LeaseNamespace);
        Assert.Equal(TimeSpan.FromSeconds(90), options.Resync);
        Assert.Equal(7, options.MaxConcurrentReconciles);
    }

    [Fact]
    public void Parse_NoFlags_WatchesAllNamespacesWithDefaults()
    {
        var (options, error) = OperatorCommandLine.Parse([]);
        Assert.Null(error);
        Assert.Null(options!.Namespace);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Resync);
        Assert.False(options.LeaderElect);
    }

    [Theory]
    [InlineData("--resync", "--resync", "soon")]
    [InlineData("--resync", "--resync", "0s")]
    [InlineData("--max-concurrent-reconciles", "--max-concurrent-reconciles", "0")]
    [InlineData("--health-listen", "--health-listen", "nowhere")]
    [InlineData("--metrics-listen", "--metrics-listen", "1.2.3.4:99999")]
    [InlineData("--network-policies", "--network-policies=maybe")]
    [InlineData("--network-policy-operator-labels", "--network-policy-operator-labels", "app")]
    [InlineData("--network-policy-operator-labels", "--network-policy-operator-labels", "bad key!=x")]
    [InlineData("--network-policy-operator-labels", "--network-policy-operator-labels", ",")]
    [InlineData("--network-policy-operator-namespace", "--network-policy-operator-namespace", "Not_A_Namespace")]
    [InlineData("--bogus", "--bogus")]
    [InlineData("--namespace", "--namespace")]
    [InlineData("--all-namespaces", "--namespace", "a", "--all-namespaces")]
    public void Parse_BadFlag_ErrorNamesTheFlag(string flag, params string[] args)
    {
        var (options, error) = OperatorCommandLine.Parse(args);
        Assert.Null(options);
        Assert.Contains(flag, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NetworkPolicyFlags_AreRead_AndPoliciesAreOnByDefault()
    {
        Assert.True(OperatorCommandLine.Parse([]).Options!.NetworkPolicy.Enabled);
        var (options, error) = OperatorCommandLine.Parse(["--network-policy-operator-namespace", "k8srepl-system",
            "--network-policy-operator-labels", "app.kubernetes.io/name=k8s-replication,app.kubernetes.io/instance=r1"]);
        Assert.Null(error);
        Assert.Equal("k8srepl-system", options!.NetworkPolicy.OperatorNamespace);
        Assert.Equal(new Dictionary<string, string> { ["app.kubernetes.io/name"] = "k8s-replication", ["app.kubernetes.io/instance"] = "r1" },
            options.NetworkPolicy.OperatorLabels);
        Assert.True(options.NetworkPolicy.KnowsOperator);
        Assert.False(OperatorCommandLine.Parse(["--network-policies=false"]).Options!.NetworkPolicy.Enabled);
    }

    [Fact]
    public async Task Process_BadFlag_ExitsWith2AndNamesTheFlag()
    {
        var exit = await OperatorProcess.RunToExitAsync(["--resync", "whenever"]);
        Assert.Equal(2, exit.ExitCode);
        Assert.Contains("--resync", exit.Stderr, StringComparison.Ordinal);
        Assert.Contains("usage: k8srepl-operator", exit.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Process_MissingKubeconfig_ExitsWith2AndNamesTheFlag()
    {
        var exit = await OperatorProcess.RunToExitAsync(["--kubeconfig", "/nonexistent/kubeconfig"]);
        Assert.Equal(2, exit.ExitCode);
        Assert.Contains("--kubeconfig", exit.Stderr, StringComparison.Ordinal);
    }
}
