using System.Diagnostics;

namespace K8sReplication.TestKit.Processes;

/// <summary>
/// Which sidecar build a test or the bench launches: the JIT build (<c>dotnet k8srepl-sidecar.dll</c>) or a native
/// executable (the Native AOT binary the image ships). A path that does not end in <c>.dll</c> is a native executable.
/// </summary>
public sealed record SidecarBinary(string Path)
{
    /// <summary>Environment variable naming a native sidecar executable; wins over <see cref="DllVariable"/>.</summary>
    public const string ExeVariable = "K8SREPL_SIDECAR_EXE";

    /// <summary>Environment variable naming the sidecar assembly run with <c>dotnet</c>.</summary>
    public const string DllVariable = "K8SREPL_SIDECAR_DLL";

    /// <summary>
    /// <see cref="ExeVariable"/> if set, else <see cref="DllVariable"/>, else <c>k8srepl-sidecar.dll</c> next to the
    /// running test (projects referencing the sidecar get it copied there).
    /// </summary>
    public static SidecarBinary Default =>
        Environment.GetEnvironmentVariable(ExeVariable) is { Length: > 0 } exe ? new SidecarBinary(exe)
        : Environment.GetEnvironmentVariable(DllVariable) is { Length: > 0 } dll ? new SidecarBinary(dll)
        : new SidecarBinary(System.IO.Path.Combine(AppContext.BaseDirectory, "k8srepl-sidecar.dll"));

    /// <summary>True for a native executable (started directly), false for an assembly started by <c>dotnet</c>.</summary>
    public bool IsNative => !Path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);

    /// <summary>The process a launch starts with these arguments (stdout and stderr redirected).</summary>
    public ProcessStartInfo CreateStartInfo(IEnumerable<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (!File.Exists(Path))
        {
            throw new FileNotFoundException(
                $"sidecar not found at {Path}; build the test project (it references the sidecar), or set {DllVariable} to a k8srepl-sidecar.dll or {ExeVariable} to a native k8srepl-sidecar",
                Path);
        }

        var info = new ProcessStartInfo(IsNative ? Path : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (!IsNative)
        {
            info.ArgumentList.Add(Path);
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    public override string ToString() => IsNative ? Path : "dotnet " + Path;
}
