using System.Runtime.InteropServices;

namespace K8sReplication.Bench.Suite;

/// <summary>The calling thread's CPU time and context switches (Linux getrusage RUSAGE_THREAD).</summary>
internal static partial class ThreadUsage
{
    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UtimeSec, UtimeUsec, StimeSec, StimeUsec;
        public long MaxRss, IxRss, IdRss, IsRss, MinFlt, MajFlt, NSwap, InBlock, OuBlock, MsgSnd, MsgRcv, NSignals, NVcsw, NIvcsw;
    }

    /// <summary><paramref name="RunQueueSeconds"/>: time runnable but waiting for a CPU (schedstat).</summary>
    public readonly record struct Snapshot(double UserSeconds, double SystemSeconds, long Voluntary, long Involuntary, double RunQueueSeconds)
    {
        public static Snapshot operator -(Snapshot a, Snapshot b) =>
            new(a.UserSeconds - b.UserSeconds, a.SystemSeconds - b.SystemSeconds, a.Voluntary - b.Voluntary, a.Involuntary - b.Involuntary,
                a.RunQueueSeconds - b.RunQueueSeconds);
    }

    public static Snapshot Now()
    {
        if (!OperatingSystem.IsLinux() || GetRUsage(1, out var u) != 0)
        {
            return default;
        }

        return new(u.UtimeSec + (u.UtimeUsec / 1e6), u.StimeSec + (u.StimeUsec / 1e6), u.NVcsw, u.NIvcsw, RunQueueWait());
    }

    /// <summary>Seconds this thread has waited on a run queue (second field of /proc/thread-self/schedstat, ns).</summary>
    private static double RunQueueWait()
    {
        var fields = File.ReadAllText("/proc/thread-self/schedstat").Split(' ');
        return long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) / 1e9;
    }

    [DllImport("libc", EntryPoint = "getrusage")]
    private static extern int GetRUsage(int who, out RUsage usage);
}
