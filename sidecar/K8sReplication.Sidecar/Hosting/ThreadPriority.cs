using System.Globalization;
using System.Runtime.InteropServices;

namespace K8sReplication.Sidecar.Hosting;

/// <summary>
/// Lowers the scheduling priority of every thread of this process (Linux: the nice value is per thread; threads created
/// later inherit it from the thread that creates them, all of which are lowered here first). The threads also run under
/// SCHED_BATCH, which Linux schedules like the default policy except that a waking thread never preempts a running one:
/// a sidecar thread woken by a commit or a peer's answer waits for a free CPU or the end of the running thread's slice
/// instead of pushing the app's thread off its CPU (on two shared cores it cut by about a quarter how often an app
/// writing flat out was preempted). Both settings are allowed to unprivileged processes, inherited, and never starve a
/// thread.
/// </summary>
internal static partial class ThreadPriority
{
    private const int PrioProcess = 0;

    /// <summary>Sets the policy and nice value of all current threads; returns how many threads were set, or null where unsupported.</summary>
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
                && Batch(tid) && SetPriority(PrioProcess, tid, niceness) == 0)
            {
                set++;
            }
        }

        return set;
    }

    /// <summary>Sets the policy and nice value of the calling thread only (the bench's stand-ins for the sidecar use it).</summary>
    public static bool LowerCurrentThread(int niceness) =>
        OperatingSystem.IsLinux() && niceness > 0 && GetTid() is var tid && Batch(tid) && SetPriority(PrioProcess, tid, niceness) == 0;

    private const int SchedBatch = 3;

    /// <summary>Puts the thread under SCHED_BATCH (static priority 0, the only one the policy has).</summary>
    private static bool Batch(int tid)
    {
        var priority = 0;
        return SchedSetScheduler(tid, SchedBatch, ref priority) == 0;
    }

    [DllImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static extern int SchedSetScheduler(int pid, int policy, ref int priority);

    [DllImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static extern int SetPriority(int which, int who, int prio);

    [DllImport("libc", EntryPoint = "gettid")]
    private static extern int GetTid();
}
