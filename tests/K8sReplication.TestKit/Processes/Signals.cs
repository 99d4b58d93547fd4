using System.Diagnostics;

namespace K8sReplication.TestKit.Processes;

/// <summary>POSIX signals for real-process tests (SIGTERM for graceful stop; SIGKILL goes through Process.Kill).</summary>
internal static class Signals
{
    public static void Terminate(int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", pid.ToString()]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("cannot run kill");
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -TERM {pid} failed with exit code {kill.ExitCode}");
        }
    }
}
