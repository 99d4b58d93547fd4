using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace K8sReplication.TestKit.Processes;

/// <summary>
/// Publishes the sidecar as Native AOT (<c>dotnet publish -c Release -r linux-x64</c>, what the image ships) and
/// returns the native executable. The build goes to a folder under the temp directory keyed by the checkout, with its
/// own <c>--artifacts-path</c>, so it never touches the checkout's bin/obj, and a later publish of unchanged sources is
/// incremental (seconds, not the minutes of a first native compile). One publish per process; a lock file serialises
/// publishes from concurrent processes (tests and the bench). A failed publish throws with the build output.
/// </summary>
public static class NativeSidecarPublish
{
    /// <summary>A first Native AOT compile takes a couple of minutes on two cores; this leaves room for a busy machine.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(15);

    private static readonly Lazy<Task<SidecarBinary>> Once = new(() => PublishAsync(CancellationToken.None));

    /// <summary>The published native sidecar, publishing it on first use in this process.</summary>
    public static Task<SidecarBinary> GetAsync() => Once.Value;

    /// <summary>How long this process's publish took (incremental when the cache folder was warm).</summary>
    public static TimeSpan? LastPublishDuration { get; private set; }

    /// <summary>The cache folder of this checkout (publish output in <c>publish/</c>, build tree in <c>artifacts/</c>).</summary>
    public static string CacheFolder
    {
        get
        {
            var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(RepoPaths.Root)))[..12];
            return Path.Combine(Path.GetTempPath(), "k8srepl-native-sidecar", key);
        }
    }

    /// <summary>linux-x64 or linux-arm64, from the machine running the tests.</summary>
    public static string RuntimeIdentifier => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => "linux-x64",
        Architecture.Arm64 => "linux-arm64",
        var other => throw new PlatformNotSupportedException($"no Native AOT sidecar build for {other}"),
    };

    private static async Task<SidecarBinary> PublishAsync(CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("the native sidecar is built for Linux");
        }

        var cache = CacheFolder;
        Directory.CreateDirectory(cache);
        var publishDir = Path.Combine(cache, "publish");
        var project = Path.Combine(RepoPaths.Root, "sidecar", "K8sReplication.Sidecar", "K8sReplication.Sidecar.csproj");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Timeout);
        await using var publishLock = await AcquireLockAsync(Path.Combine(cache, ".lock"), deadline.Token);

        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // No build servers: a node left running would hold the redirected output open (and outlive the test run).
        foreach (var arg in new[]
                 {
                     "publish", project, "-c", "Release", "-r", RuntimeIdentifier,
                     "--artifacts-path", Path.Combine(cache, "artifacts"), "-o", publishDir,
                     "--disable-build-servers", "-nologo", "-p:DebugType=none",
                 })
        {
            info.ArgumentList.Add(arg);
        }

        // A test host started by `dotnet test` carries MSBuild variables of that invocation; the publish finds its own.
        foreach (var variable in new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly" })
        {
            info.Environment.Remove(variable);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet publish");
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet publish of the native sidecar did not finish within {Timeout.TotalMinutes:0} min:\n{await stdout}{await stderr}");
        }

        var output = await stdout + await stderr;
        var exe = Path.Combine(publishDir, "k8srepl-sidecar");
        if (process.ExitCode != 0 || !File.Exists(exe))
        {
            throw new InvalidOperationException(
                string.Create(CultureInfo.InvariantCulture, $"dotnet publish of the native sidecar failed (exit {process.ExitCode}); Native AOT needs clang or gcc on PATH:\n{output}"));
        }

        LastPublishDuration = watch.Elapsed;
        return new SidecarBinary(exe);
    }

    private static async Task<FileStream> AcquireLockAsync(string path, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive lock on Unix too. The file stays: deleting it on close would let a
                // waiter that opened the old file and a newcomer that created a new one both hold "the" lock.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                // Another process is publishing into the same folder; its result is what we want too.
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
            }
        }
    }
}
