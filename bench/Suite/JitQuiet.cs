using System.Diagnostics;
using System.Runtime;
using System.Runtime.InteropServices;

namespace K8sReplication.Bench.Suite;

/// <summary>
/// Waits until this process's JIT has gone quiet. The bench process is also the app in the cases that time an app's
/// writes, and the harness work before a measured write (HTTP calls to the sidecars, JSON, polling) leaves methods for
/// tiered compilation to promote in the background: up to half a second of a core compiling inside the window, on
/// the core the sidecars use, which is neither the app's cost nor the sidecars'.
/// </summary>
internal static class JitQuiet
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    /// <summary>Returns once no method was compiled for <see cref="Quiet"/>, or after <see cref="Deadline"/>.</summary>
    public static void Wait()
    {
        var start = Stopwatch.GetTimestamp();
        var count = JitInfo.GetCompiledMethodCount();
        var since = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start) < Deadline)
        {
            Thread.Sleep(20);
            var now = JitInfo.GetCompiledMethodCount();
            if (now != count)
            {
                count = now;
                since = Stopwatch.GetTimestamp();
            }
            else if (Stopwatch.GetElapsedTime(since) >= Quiet)
            {
                return;
            }
        }
    }
}

/// <summary>
/// Empties the disk's write queue before a measured write: dirty pages that an earlier configuration or the harness
/// left in the page cache would otherwise be written back inside the next one's window, on the app's disk.
/// </summary>
internal static class DiskQuiet
{
    /// <summary>Writes every dirty page of every file system to its disk and returns once that is done.</summary>
    public static void Flush() => Sync();

    [DllImport("libc", EntryPoint = "sync")]
    private static extern void Sync();
}
