using System.Globalization;
using System.Runtime.InteropServices;

namespace K8sReplication.Sidecar.Hosting;

/// <summary>
/// Lowers the scheduling priority of every thread of this process (Linux: the nice value is per thread; threads
/// created later inherit it from the thread that creates them, all of which are lowered here first).
/// </summary>
internal static partial class ThreadPriority
{
    private const int PrioProcess = 0;

    /// <summary>Sets the nice value of all current threads; returns how many threads were set, or null where unsupported.</summary>
    public static int? Lower(int niceness)
    {
        if (!OperatingSystem.IsLinux() || niceness <= 0)
        {
            return null;
        }

        var set = 0;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            if (int.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out var tid)
                && SetPriority(PrioProcess, tid, niceness) == 0)
            {
                set++;
            }
        }

        return set;
    }

    /// <summary>Sets the nice value of the calling thread only (the bench's stand-ins for the sidecar use it).</summary>
    public static bool LowerCurrentThread(int niceness) =>
        OperatingSystem.IsLinux() && niceness > 0 && SetPriority(PrioProcess, GetTid(), niceness) == 0;

    [DllImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static extern int SetPriority(int which, int who, int prio);

    [DllImport("libc", EntryPoint = "gettid")]
    private static extern int GetTid();
}
