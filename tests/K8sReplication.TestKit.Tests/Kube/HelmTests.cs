using System.Diagnostics;
using System.Net;
using K8sReplication.TestKit.Kube;

namespace K8sReplication.TestKit.Tests.Kube;

/// <summary>The real helm (K8SREPL_HELM or PATH) installs, upgrades and uninstalls a chart on the emulator.</summary>
public sealed class HelmTests : IAsyncLifetime
{
    private ApiServerEmulator _emulator = null!;
    private KubeHttp _http = null!;
    private string _dir = null!;
    private string _kubeconfig = null!;

    public async Task InitializeAsync()
    {
        _emulator = await ApiServerEmulator.StartAsync();
        _http = new KubeHttp(_emulator.Url);
        _dir = Directory.CreateTempSubdirectory("k8srepl-helm-").FullName;
        _kubeconfig = _emulator.WriteKubeconfig(Path.Combine(_dir, "kubeconfig"));
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _emulator.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static string HelmBinary()
    {
        var configured = Environment.GetEnvironmentVariable("K8SREPL_HELM");
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(configured) ? configured : throw new InvalidOperationException($"K8SREPL_HELM points at '{configured}', which does not exist");
        }

        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "helm")).Append(Path.Combine(RepoPaths.Root, ".tools", "bin", "helm"));
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("helm is required for this test: put it on PATH or set K8SREPL_HELM (./test.sh installs it)");
    }

    private async Task<KubectlResult> HelmAsync(params string[] args)
    {
        var info = new ProcessStartInfo(HelmBinary()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add($"--kubeconfig={_kubeconfig}");
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["HOME"] = _dir;
        info.Environment["HELM_CACHE_HOME"] = Path.Combine(_dir, "cache");
        info.Environment["HELM_CONFIG_HOME"] = Path.Combine(_dir, "config");
        info.Environment["HELM_DATA_HOME"] = Path.Combine(_dir, "data");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(deadline.Token);
        var result = new KubectlResult(process.ExitCode, await stdout, await stderr);
        Assert.True(result.ExitCode == 0, $"helm {string.Join(' ', args)} failed: {result}");
        return result;
    }

    [Fact]
    public async Task Helm_InstallUpgradeUninstall_RoundTrip()
    {
        var chart = Path.Combine(_dir, "demo");
        await HelmAsync("create", chart);
        await HelmAsync("install", "demo", chart);
        var (status, deployment) = await _http.GetAsync("/apis/apps/v1/namespaces/default/deployments/demo");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, deployment["spec"]!["replicas"]!.GetValue<int>());

        await HelmAsync("upgrade", "demo", chart, "--set", "replicaCount=3");
        var (_, upgraded) = await _http.GetAsync("/apis/apps/v1/namespaces/default/deployments/demo");
        Assert.Equal(3, upgraded["spec"]!["replicas"]!.GetValue<int>());
        var list = await HelmAsync("list", "-o", "json");
        Assert.Contains("\"revision\":\"2\"", list.Stdout);

        await HelmAsync("uninstall", "demo");
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/apis/apps/v1/namespaces/default/deployments/demo")).Status);
        var (_, secrets) = await _http.GetAsync("/api/v1/namespaces/default/secrets?labelSelector=owner%3Dhelm");
        Assert.Empty(secrets["items"]!.AsArray());
    }
}
