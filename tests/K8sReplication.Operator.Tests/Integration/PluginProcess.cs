using System.Diagnostics;
using K8sReplication.TestKit.Processes;

namespace K8sReplication.Operator.Tests.Integration;

/// <summary>Runs the built kubectl plugin (<c>dotnet kubectl-k8srepl.dll</c> from the test's bin folder) to completion.</summary>
internal static class PluginProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "kubectl-k8srepl.dll");

    public static async Task<ProcessExit> RunAsync(string kubeconfig, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["KUBECONFIG"] = kubeconfig;
        start.Environment.Remove("KUBERNETES_SERVICE_HOST");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the plugin");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl-k8srepl {string.Join(' ', args)} did not finish");
        }

        return new ProcessExit(process.ExitCode, await stdout, await stderr);
    }
}
