namespace K8sReplication.Packaging.Tests.Tools;

/// <summary>What a finished tool run printed and returned.</summary>
public sealed record ToolResult(int ExitCode, string Stdout, string Stderr, string CommandLine)
{
    /// <summary>Throws with the whole output when the tool failed, so a test failure shows the tool's own message.</summary>
    public ToolResult EnsureSuccess()
    {
        if (ExitCode != 0)
        {
            throw new InvalidOperationException($"`{CommandLine}` exited {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
        }

        return this;
    }
}
