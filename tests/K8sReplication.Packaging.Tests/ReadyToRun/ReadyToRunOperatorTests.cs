using System.Diagnostics;
using System.Reflection.PortableExecutable;
using K8sReplication.Packaging.Tests.Tools;
using K8sReplication.TestKit;
using K8sReplication.TestKit.Kube;
using K8sReplication.TestKit.Processes;

namespace K8sReplication.Packaging.Tests.ReadyToRun;

/// <summary>
/// The operator the image ships is published with ReadyToRun (the official Kubernetes client rules out Native AOT), so
/// it is published here the way operator/Dockerfile does (framework-dependent, to run it with this machine's runtime;
/// the precompiled code is the same) and run for real against the emulator.
/// </summary>
public sealed class ReadyToRunOperatorTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task PublishedReadyToRunOperator_IsPrecompiled_AndReconcilesAMeshThroughTheOfficialClient()
    {
        var dir = Directory.CreateTempSubdirectory("k8srepl-r2r-operator-").FullName;
        try
        {
            var publish = Path.Combine(dir, "publish");
            await PublishAsync(publish, Path.Combine(dir, "artifacts"));
            foreach (var assembly in new[] { "k8srepl-operator.dll", "K8sReplication.Kube.dll", "KubernetesClient.dll" })
            {
                Assert.True(IsReadyToRun(Path.Combine(publish, assembly)), $"{assembly} is not a ReadyToRun image");
            }

            await using var api = await ApiServerEmulator.StartAsync();
            var kubeconfig = api.WriteKubeconfig(Path.Combine(dir, "kubeconfig"));
            async Task<string> Kubectl(params string[] args) =>
                (await ExternalTool.Kubectl.RunAsync(["--kubeconfig", kubeconfig, "--cache-dir", Path.Combine(dir, "cache"), .. args])).EnsureSuccess().Stdout;
            await Kubectl("apply", "-f", Path.Combine(RepoPaths.Root, "crds"));
            await using var op = await OperatorProcess.StartAsync(["--kubeconfig", kubeconfig, "--namespace", "default",
                "--health-listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0", "--resync", "2s"], dll: Path.Combine(publish, "k8srepl-operator.dll"));
            var mesh = Path.Combine(dir, "mesh.yaml");
            await File.WriteAllTextAsync(mesh, "apiVersion: replication.k8srepl.dev/v1alpha1\nkind: ReplicationMesh\nmetadata:\n  name: r2r\n  namespace: default\nspec:\n  selector:\n    matchLabels:\n      app: r2r\n");
            await Kubectl("apply", "-f", mesh);

            await Eventually.ValueAsync(() => Kubectl("get", "rmesh", "r2r", "-n", "default", "-o", "jsonpath={.status.phase}/{.metadata.finalizers[0]}"),
                text => text == "Pending/replication.k8srepl.dev/finalizer", Deadline, "the published operator to add its finalizer and write the status");
            Assert.False(op.HasExited, op.Output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary><c>dotnet publish</c> of the operator with ReadyToRun, its build tree under <paramref name="artifacts"/>.</summary>
    private static async Task PublishAsync(string output, string artifacts)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // No build servers: a node left running would hold the redirected output open (and outlive the test run).
        foreach (var arg in new[]
                 {
                     "publish", Path.Combine(RepoPaths.Root, "operator", "K8sReplication.Operator", "K8sReplication.Operator.csproj"),
                     "-c", "Release", "-r", NativeSidecarPublish.RuntimeIdentifier, "--self-contained", "false", "-p:PublishReadyToRun=true",
                     "--artifacts-path", artifacts, "-o", output, "--disable-build-servers", "-nologo", "-p:DebugType=none",
                 })
        {
            info.ArgumentList.Add(arg);
        }

        // A test host started by `dotnet test` carries MSBuild variables of that invocation; the publish finds its own.
        foreach (var variable in new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly" })
        {
            info.Environment.Remove(variable);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet publish");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(deadline.Token);
        Assert.True(process.ExitCode == 0, $"dotnet publish failed:\n{await stdout}\n{await stderr}");
    }

    /// <summary>A ReadyToRun image carries a managed native header beside its IL.</summary>
    private static bool IsReadyToRun(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        return pe.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0;
    }
}
