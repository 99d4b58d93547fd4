using System.Diagnostics;
using System.Text.Json.Nodes;
using K8sReplication.TestKit.Tests.Kube;

namespace K8sReplication.TestKit.Tests;

/// <summary>The <c>apiserver</c> command as the sandbox and humans start it: a real process until SIGTERM.</summary>
public sealed class ApiServerCommandTests
{
    [Fact]
    public async Task ApiServerCommand_PrintsItsUrl_ServesKubectl_AndStopsOnSigterm()
    {
        var dir = Directory.CreateTempSubdirectory("k8srepl-apiserver-").FullName;
        var kubeconfig = Path.Combine(dir, "kubeconfig");
        var dll = Path.Combine(AppContext.BaseDirectory, "K8sReplication.TestKit.dll");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { dll, "apiserver", "--listen", "127.0.0.1:0", "--kubeconfig-out", kubeconfig })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.NotNull(line);
            var listening = JsonNode.Parse(line)!;
            Assert.Equal("listening", listening["event"]!.GetValue<string>());
            var url = new Uri(listening["url"]!.GetValue<string>());
            Assert.Equal("127.0.0.1", url.Host);
            Assert.NotEqual(0, url.Port);
            Assert.Contains(url.ToString().TrimEnd('/'), await File.ReadAllTextAsync(kubeconfig));

            using var kubectl = new Kubectl(kubeconfig);
            var result = await kubectl.RunAsync("get", "namespaces");
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains("default", result.Stdout);

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString()]))
            {
                await kill.WaitForExitAsync();
            }

            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(deadline.Token);
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            Directory.Delete(dir, recursive: true);
        }
    }
}
