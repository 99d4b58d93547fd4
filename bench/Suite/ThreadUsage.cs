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

    public readonly record struct Snapshot(double UserSeconds, double SystemSeconds, long Voluntary, long Involuntary)
    {
        public static Snapshot operator -(Snapshot a, Snapshot b) =>
            new(a.UserSeconds - b.UserSeconds, a.SystemSeconds - b.SystemSeconds, a.Voluntary - b.Voluntary, a.Involuntary - b.Involuntary);
    }

    public static Snapshot Now()
    {
        if (!OperatingSystem.IsLinux() || GetRUsage(1, out var u) != 0)
        {
            return default;
        }

        return new(u.UtimeSec + (u.UtimeUsec / 1e6), u.StimeSec + (u.StimeUsec / 1e6), u.NVcsw, u.NIvcsw);
    }

    [DllImport("libc", EntryPoint = "getrusage")]
    private static extern int GetRUsage(int who, out RUsage usage);
}
