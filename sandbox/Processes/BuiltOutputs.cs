using System.Reflection;
using System.Runtime.InteropServices;

namespace K8sReplication.Sandbox.Processes;

/// <summary>
/// Where the sidecar and operator builds are and how to run them. The paths are baked in at build time (the sandbox
/// project builds both), and can be overridden with K8SREPL_SIDECAR_DLL / K8SREPL_OPERATOR_DLL.
/// </summary>
internal static class BuiltOutputs
{
    public static string SidecarDll => Locate("K8SREPL_SIDECAR_DLL", "SidecarDll");

    public static string OperatorDll => Locate("K8SREPL_OPERATOR_DLL", "OperatorDll");

    /// <summary>
    /// The dotnet host running this process (the runtime folder is <c>ROOT/shared/Microsoft.NETCore.App/VERSION/</c>),
    /// so children run on the same installation even when dotnet is not on PATH; falls back to PATH.
    /// </summary>
    public static string DotnetHost
    {
        get
        {
            var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
            var host = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
            return File.Exists(host) ? host : "dotnet";
        }
    }

    private static string Locate(string variable, string metadataKey)
    {
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } overridden)
        {
            return overridden;
        }

        var baked = typeof(BuiltOutputs).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == metadataKey)?.Value;
        if (baked is null || !File.Exists(baked))
        {
            throw new FileNotFoundException(
                $"{metadataKey}: '{baked}' does not exist; build with 'dotnet build sandbox' (it builds the sidecar and operator) or set {variable}");
        }

        return baked;
    }
}
