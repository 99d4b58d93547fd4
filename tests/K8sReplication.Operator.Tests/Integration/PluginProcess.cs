using K8sReplication.TestKit.Processes;
using K8sReplication.TestKit.Tools;

namespace K8sReplication.Operator.Tests.Integration;

/// <summary>Runs the built kubectl plugin (<c>dotnet kubectl-k8srepl.dll</c> from the test's bin folder) to completion.</summary>
internal static class PluginProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "kubectl-k8srepl.dll");

    /// <summary>The dotnet host running the tests (the SDK sets DOTNET_HOST_PATH), else the one on PATH.</summary>
    private static ExternalTool Dotnet => ExternalTool.Find("dotnet", "DOTNET_HOST_PATH");

    public static Task<ProcessExit> RunAsync(string kubeconfig, params string[] args) =>
        Dotnet.RunAsync([Dll, .. args], env: new Dictionary<string, string> { ["KUBECONFIG"] = kubeconfig });
}
